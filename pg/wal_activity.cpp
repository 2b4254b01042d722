#include "pg/wal_activity.hpp"

#include "common/error.hpp"
#include "pg/child_process.hpp"
#include "pg/lsn.hpp"

#include <charconv>
#include <unordered_map>

namespace lastgood::pg {

namespace {

constexpr std::uint32_t kFirstNormalObjectId = 16384;
constexpr std::uint32_t kDefaultTablespace = 1663, kGlobalTablespace = 1664;

std::optional<std::uint64_t> number_at(std::string_view text, std::size_t& pos)
{
  while (pos < text.size() && text[pos] == ' ')
    ++pos;
  std::uint64_t value = 0;
  auto [end, ec] = std::from_chars(text.data() + pos, text.data() + text.size(), value);
  if (ec != std::errc()) return std::nullopt;
  pos = static_cast<std::size_t>(end - text.data());
  return value;
}

// The number following `label` in text, if any.
std::optional<std::uint64_t> number_after(std::string_view text, std::string_view label)
{
  auto at = text.find(label);
  if (at == std::string_view::npos) return std::nullopt;
  std::size_t pos = at + label.size();
  return number_at(text, pos);
}

// "1663/5/16384" (a block reference's rel).
std::optional<RelFile> rel_triple(std::string_view text, std::size_t pos)
{
  RelFile f;
  auto s = number_at(text, pos);
  if (!s || pos >= text.size() || text[pos] != '/') return std::nullopt;
  ++pos;
  auto d = number_at(text, pos);
  if (!d || pos >= text.size() || text[pos] != '/') return std::nullopt;
  ++pos;
  auto r = number_at(text, pos);
  if (!r) return std::nullopt;
  f.tablespace = static_cast<std::uint32_t>(*s);
  f.database = static_cast<std::uint32_t>(*d);
  f.relfilenode = static_cast<std::uint32_t>(*r);
  return f;
}

// A relation file path: base/D/R, global/R or pg_tblspc/S/PG_xx_yyy/D/R.
std::optional<RelFile> rel_path(std::string_view path)
{
  auto parts = std::vector<std::string_view>{};
  std::size_t pos = 0;
  while (pos <= path.size()) {
    auto slash = path.find('/', pos);
    if (slash == std::string_view::npos) slash = path.size();
    parts.push_back(path.substr(pos, slash - pos));
    pos = slash + 1;
  }
  auto num = [](std::string_view s) -> std::optional<std::uint32_t> {
    std::uint32_t v = 0;
    auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
    if (ec != std::errc() || end != s.data() + s.size()) return std::nullopt;
    return v;
  };
  if (parts.size() == 3 && parts[0] == "base") {
    auto d = num(parts[1]), r = num(parts[2]);
    if (d && r) return RelFile{kDefaultTablespace, *d, *r};
  } else if (parts.size() == 2 && parts[0] == "global") {
    if (auto r = num(parts[1])) return RelFile{kGlobalTablespace, 0, *r};
  } else if (parts.size() == 5 && parts[0] == "pg_tblspc") {
    auto s = num(parts[1]), d = num(parts[3]), r = num(parts[4]);
    if (s && d && r) return RelFile{*s, *d, *r};
  }
  return std::nullopt;
}

std::vector<std::string_view> words(std::string_view text)
{
  std::vector<std::string_view> out;
  std::size_t pos = 0;
  while (pos < text.size()) {
    auto start = text.find_first_not_of(' ', pos);
    if (start == std::string_view::npos) break;
    auto end = text.find(' ', start);
    if (end == std::string_view::npos) end = text.size();
    out.push_back(text.substr(start, end - start));
    pos = end;
  }
  return out;
}

// "COMMIT 2026-11-26 09:41:23.145174 UTC; rels: ...; subxacts: ...; dropped stats: ..."
void parse_end(std::string_view desc, TransactionActivity& t)
{
  auto first_part = desc.substr(0, desc.find(';'));
  auto w = words(first_part);
  // w: KIND [xid:] DATE TIME UTC
  std::size_t i = 1;
  if (i < w.size() && w[i].ends_with(":")) ++i; // COMMIT_PREPARED 5: ...
  if (i + 1 < w.size()) {
    std::string frac;
    auto time = std::string(w[i + 1]);
    auto dot = time.find('.');
    if (dot != std::string::npos) {
      frac = time.substr(dot + 1);
      time = time.substr(0, dot);
    }
    frac = (frac + "000000").substr(0, 6);
    t.end_time = std::string(w[i]) + "T" + time + "." + frac + "Z";
  }
  std::size_t pos = desc.find(';');
  while (pos != std::string_view::npos) {
    auto next = desc.find(';', pos + 1);
    auto part = desc.substr(pos + 1, next == std::string_view::npos ? std::string_view::npos
                                                                    : next - pos - 1);
    pos = next;
    while (!part.empty() && part.front() == ' ')
      part.remove_prefix(1);
    if (part.starts_with("rels:")) {
      for (auto word : words(part.substr(5)))
        if (auto f = rel_path(word)) t.dropped.push_back(*f);
    } else if (part.starts_with("subxacts:")) {
      for (auto word : words(part.substr(9))) {
        std::size_t p = 0;
        if (auto x = number_at(word, p)) t.subxacts.push_back(static_cast<std::uint32_t>(*x));
      }
    } else if (part.starts_with("dropped stats:")) {
      for (auto word : words(part.substr(14))) {
        // kind/dboid/objoid; kind 2 = relation
        std::size_t p = 0;
        auto kind = number_at(word, p);
        if (!kind || *kind != 2 || p >= word.size() || word[p] != '/') continue;
        ++p;
        auto db = number_at(word, p);
        if (!db || p >= word.size() || word[p] != '/') continue;
        ++p;
        if (auto oid = number_at(word, p))
          t.dropped_stats.push_back(
              {static_cast<std::uint32_t>(*db), static_cast<std::uint32_t>(*oid)});
      }
    }
  }
}

} // namespace

WalActivity parse_wal_activity(std::string_view output, std::uint64_t end_lsn)
{
  WalActivity out;
  std::unordered_map<std::uint32_t, std::size_t> index;
  auto transaction = [&](std::uint32_t xid, std::uint64_t lsn) -> TransactionActivity& {
    auto [it, added] = index.try_emplace(xid, out.transactions.size());
    if (added) {
      out.transactions.emplace_back();
      out.transactions.back().xid = xid;
      out.transactions.back().first_lsn = lsn;
    }
    return out.transactions[it->second];
  };
  std::size_t pos = 0;
  while (pos < output.size()) {
    auto eol = output.find('\n', pos);
    if (eol == std::string_view::npos) eol = output.size();
    std::string_view line = output.substr(pos, eol - pos);
    pos = eol + 1;
    if (!line.starts_with("rmgr: ")) continue;
    auto rmgr = line.substr(6, line.find(' ', 6) - 6);
    auto lsn_at = line.find(", lsn: ");
    auto desc_at = line.find(", desc: ");
    auto xid = number_after(line, "tx:");
    if (lsn_at == std::string_view::npos || desc_at == std::string_view::npos || !xid) continue;
    auto lsn_text = line.substr(lsn_at + 7, line.find(',', lsn_at + 7) - lsn_at - 7);
    auto lsn = Lsn::try_parse(lsn_text);
    if (!lsn || lsn->value >= end_lsn) continue;
    ++out.records;
    if (*xid == 0) continue;
    auto desc = line.substr(desc_at + 8);
    auto kind = desc.substr(0, desc.find_first_of(" ,"));
    auto& t = transaction(static_cast<std::uint32_t>(*xid), lsn->value);
    if (rmgr == "Transaction") {
      if (kind == "COMMIT" || kind == "ABORT" || kind == "COMMIT_PREPARED" ||
          kind == "ABORT_PREPARED") {
        t.end_lsn = lsn->value;
        t.end_kind = kind.starts_with("COMMIT") ? "commit" : "abort";
        parse_end(desc, t);
      }
    } else if (rmgr == "Heap" || rmgr == "Heap2") {
      if (kind == "TRUNCATE") {
        auto db = number_after(desc, "db ");
        auto relids = desc.find("relids");
        if (relids != std::string_view::npos)
          for (auto word : words(desc.substr(relids + 6))) {
            std::size_t p = 0;
            if (auto oid = number_at(word, p))
              t.truncated.push_back(
                  {static_cast<std::uint32_t>(db.value_or(0)), static_cast<std::uint32_t>(*oid)});
          }
        continue;
      }
      auto blk = line.find("blkref #0: rel ");
      if (blk == std::string_view::npos) continue;
      auto file = rel_triple(line, blk + 15);
      if (!file || file->relfilenode < kFirstNormalObjectId) continue;
      RelationTouch* touch = nullptr;
      for (auto& existing : t.touches)
        if (existing.file == *file) touch = &existing;
      if (!touch) {
        t.touches.push_back({*file});
        touch = &t.touches.back();
      }
      ++touch->records;
      if (kind == "INSERT" || kind == "INSERT+INIT") {
        ++touch->inserts;
      } else if (kind == "MULTI_INSERT" || kind == "MULTI_INSERT+INIT") {
        std::size_t p = kind.size();
        auto n = number_at(desc, p); // PG 15: "3 tuples"
        if (!n) n = number_after(desc, "ntuples:");
        touch->inserts += n.value_or(1);
      } else if (kind.find("UPDATE") != std::string_view::npos) {
        ++touch->updates;
      } else if (kind == "DELETE") {
        ++touch->deletes;
      }
    } else if (rmgr == "Storage" && kind == "CREATE") {
      auto w = words(desc);
      if (w.size() >= 2)
        if (auto f = rel_path(w[1]); f && f->relfilenode >= kFirstNormalObjectId)
          t.created.push_back(*f);
    } else if (rmgr == "Standby" && kind == "LOCK") {
      std::size_t p = 0;
      while ((p = desc.find(" db ", p)) != std::string_view::npos) {
        p += 4;
        auto db = number_at(desc, p);
        auto rel = number_after(desc.substr(p), "rel ");
        if (db && rel)
          t.locked.push_back({static_cast<std::uint32_t>(*db), static_cast<std::uint32_t>(*rel)});
      }
    } else if (rmgr == "XLOG" && kind == "FPI") {
      ++t.full_page_images;
    }
  }
  return out;
}

WalActivity read_wal_activity(const std::string& dir, std::uint32_t timeline,
                              std::uint64_t start_lsn, std::uint64_t end_lsn,
                              bool next_segment_present)
{
  ProcessOptions o;
  o.argv = {find_pg_program("pg_waldump"), "--path=" + dir,
            "--timeline=" + std::to_string(timeline), "--start=" + Lsn{start_lsn}.str()};
  // A record crossing into the next segment is read whole from it; reading
  // stops soon after (1 MiB covers any commit record with its lists).
  if (next_segment_present)
    o.argv.push_back("--end=" + Lsn{end_lsn + (1u << 20)}.str());
  else
    o.argv.push_back("--end=" + Lsn{end_lsn}.str());
  o.env = {{"TZ", "UTC"}, {"LC_ALL", "C"}};
  o.timeout = std::chrono::seconds(300);
  o.output_limit = 1024u << 20;
  auto r = run_process(o);
  if (r.exit_code != 0 && r.out.empty() &&
      r.err.find("invalid record length") == std::string::npos &&
      r.err.find("error in WAL record") == std::string::npos)
    throw Error(describe_failure(r, "pg_waldump on " + dir + " from " + Lsn{start_lsn}.str()));
  return parse_wal_activity(r.out, end_lsn);
}

namespace {

nlohmann::json files_json(const std::vector<RelFile>& files)
{
  auto a = nlohmann::json::array();
  for (const auto& f : files)
    a.push_back({f.tablespace, f.database, f.relfilenode});
  return a;
}
std::vector<RelFile> files_from(const nlohmann::json& a)
{
  std::vector<RelFile> out;
  for (const auto& f : a)
    out.push_back(
        {f.at(0).get<std::uint32_t>(), f.at(1).get<std::uint32_t>(), f.at(2).get<std::uint32_t>()});
  return out;
}
nlohmann::json oids_json(const std::vector<RelationOid>& oids)
{
  auto a = nlohmann::json::array();
  for (const auto& o : oids)
    a.push_back({o.database, o.oid});
  return a;
}
std::vector<RelationOid> oids_from(const nlohmann::json& a)
{
  std::vector<RelationOid> out;
  for (const auto& o : a)
    out.push_back({o.at(0).get<std::uint32_t>(), o.at(1).get<std::uint32_t>()});
  return out;
}

} // namespace

nlohmann::json to_json(const WalActivity& activity)
{
  auto transactions = nlohmann::json::array();
  for (const auto& t : activity.transactions) {
    auto touches = nlohmann::json::array();
    for (const auto& touch : t.touches)
      touches.push_back({touch.file.tablespace, touch.file.database, touch.file.relfilenode,
                         touch.inserts, touch.updates, touch.deletes, touch.records});
    nlohmann::json j = {{"xid", t.xid}, {"first", t.first_lsn}};
    if (t.end_lsn) j["end"] = *t.end_lsn;
    if (t.end_time) j["time"] = *t.end_time;
    if (!t.end_kind.empty()) j["kind"] = t.end_kind;
    if (!t.subxacts.empty()) j["subxacts"] = t.subxacts;
    if (!touches.empty()) j["touches"] = touches;
    if (!t.created.empty()) j["created"] = files_json(t.created);
    if (!t.dropped.empty()) j["dropped"] = files_json(t.dropped);
    if (!t.locked.empty()) j["locked"] = oids_json(t.locked);
    if (!t.dropped_stats.empty()) j["dropped_stats"] = oids_json(t.dropped_stats);
    if (!t.truncated.empty()) j["truncated"] = oids_json(t.truncated);
    if (t.full_page_images) j["fpi"] = t.full_page_images;
    transactions.push_back(std::move(j));
  }
  return {{"records", activity.records}, {"transactions", transactions}};
}

WalActivity wal_activity_from_json(const nlohmann::json& doc)
{
  WalActivity out;
  out.records = doc.at("records").get<std::uint64_t>();
  for (const auto& j : doc.at("transactions")) {
    TransactionActivity t;
    t.xid = j.at("xid").get<std::uint32_t>();
    t.first_lsn = j.at("first").get<std::uint64_t>();
    if (j.contains("end")) t.end_lsn = j["end"].get<std::uint64_t>();
    if (j.contains("time")) t.end_time = j["time"].get<std::string>();
    t.end_kind = j.value("kind", "");
    if (j.contains("subxacts")) t.subxacts = j["subxacts"].get<std::vector<std::uint32_t>>();
    for (const auto& touch : j.value("touches", nlohmann::json::array()))
      t.touches.push_back({{touch.at(0).get<std::uint32_t>(), touch.at(1).get<std::uint32_t>(),
                            touch.at(2).get<std::uint32_t>()},
                           touch.at(3).get<std::uint64_t>(),
                           touch.at(4).get<std::uint64_t>(),
                           touch.at(5).get<std::uint64_t>(),
                           touch.at(6).get<std::uint64_t>()});
    t.created = files_from(j.value("created", nlohmann::json::array()));
    t.dropped = files_from(j.value("dropped", nlohmann::json::array()));
    t.locked = oids_from(j.value("locked", nlohmann::json::array()));
    t.dropped_stats = oids_from(j.value("dropped_stats", nlohmann::json::array()));
    t.truncated = oids_from(j.value("truncated", nlohmann::json::array()));
    t.full_page_images = j.value("fpi", std::uint64_t{0});
    out.transactions.push_back(std::move(t));
  }
  return out;
}

} // namespace lastgood::pg
