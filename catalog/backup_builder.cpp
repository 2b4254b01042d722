#include "catalog/backup_builder.hpp"

#include "catalog/classify.hpp"
#include "catalog/dump_database_name.hpp"
#include "catalog/key_range.hpp"
#include "catalog/object_records.hpp"
#include "common/sha256.hpp"
#include "common/time.hpp"

#include <map>
#include <nlohmann/json.hpp>
#include <optional>
#include <vector>

namespace lastgood::catalog {

namespace {

using nlohmann::json;

std::string parent_dir(const std::string& key)
{
  auto slash = key.rfind('/');
  return slash == std::string::npos ? std::string() : key.substr(0, slash);
}

std::string mtime_rfc3339(std::int64_t mtime_ns)
{
  return format_rfc3339(TimePoint(std::chrono::seconds(mtime_ns / 1000000000)));
}

} // namespace

std::vector<Member> objects_under(Database& db, std::int64_t repository_id, const std::string& dir)
{
  auto s =
      db.prepare("SELECT id, key, kind, size, coalesce(mtime_ns, 0), detail, problem FROM objects"
                 " WHERE repository_id = ? AND key >= ? AND key < ? ORDER BY key");
  std::string low = dir.empty() ? std::string() : dir + "/";
  std::string high = dir.empty() ? after_every_key(db) : dir + "0"; // '0' follows '/'
  s.bind_all(repository_id, low, high);
  std::vector<Member> out;
  while (s.step())
    out.push_back(Member{s.int64(0), s.text(1), s.text(2), static_cast<std::uint64_t>(s.int64(3)),
                         s.int64(4), s.is_null(5) ? json() : json::parse(s.text(5)),
                         s.opt_text(6)});
  return out;
}

namespace {

std::optional<std::string> opt_string(const json& j, const char* key)
{
  if (!j.is_object() || !j.contains(key) || j[key].is_null()) return std::nullopt;
  if (j[key].is_string()) {
    auto v = j[key].get<std::string>();
    return v.empty() ? std::nullopt : std::optional(v);
  }
  return j[key].dump();
}

std::optional<std::int64_t> opt_int(const json& j, const char* key)
{
  if (!j.is_object() || !j.contains(key) || !j[key].is_number()) return std::nullopt;
  return j[key].get<std::int64_t>();
}

void add_problem(BackupFacts& f, const std::string& text)
{
  f.problem = f.problem ? *f.problem + "; " + text : text;
}

BackupFacts logical_from_file(const Member& m)
{
  BackupFacts f;
  f.root_key = m.key;
  f.kind = "logical";
  const json& d = m.detail;
  f.format = opt_string(d, "format").value_or(m.kind == kind::plain_dump ? "plain" : "custom");
  if (d.is_object() && d.value("cluster_dump", false)) f.format = "plain_cluster";
  f.database = opt_string(d, "database"); // a header's name; see name_database for the rest
  f.server_version = opt_string(d, "server_version");
  f.tool_version = opt_string(d, "pg_dump_version");
  f.compression = opt_string(d, "compression");
  // A dump compressed as a whole (shop.dump.zst): "zstd (outer) + none".
  if (auto outer = opt_string(d, "outer_compression"))
    f.compression = *outer + " (outer) + " + f.compression.value_or("none");
  f.stop_time = mtime_rfc3339(m.mtime_ns);
  f.members.emplace_back(m.id, "archive");
  f.size = m.size;
  if (m.problem) add_problem(f, *m.problem);
  return f;
}

BackupFacts logical_from_directory(const Member& toc, const std::vector<Member>& under,
                                   Database& db)
{
  BackupFacts f = logical_from_file(toc);
  f.root_key = parent_dir(toc.key);
  f.format = "directory";
  f.members.clear();
  f.size = 0;
  std::int64_t newest = toc.mtime_ns;
  auto set_kind = db.prepare("UPDATE objects SET kind = ? WHERE id = ?");
  for (const auto& m : under) {
    bool is_toc = m.id == toc.id;
    f.members.emplace_back(m.id, is_toc ? "toc" : "data");
    f.size += m.size;
    newest = std::max(newest, m.mtime_ns);
    if (!is_toc && m.kind == kind::other) set_kind.bind_all(kind::dump_data, m.id).run();
    if (!is_toc && m.problem) add_problem(f, m.key + ": " + *m.problem);
  }
  f.stop_time = mtime_rfc3339(newest);
  return f;
}

const Member* find_key(const std::vector<Member>& under, const std::string& key)
{
  for (const auto& m : under)
    if (m.key == key) return &m;
  return nullptr;
}

BackupFacts physical(const std::string& dir, const std::vector<Member>& under, Database& db)
{
  BackupFacts f;
  f.root_key = dir;
  f.kind = "physical";
  const std::string prefix = dir.empty() ? "" : dir + "/";
  const Member* label = find_key(under, prefix + "backup_label");
  const Member* control = find_key(under, prefix + "global/pg_control");
  const Member* manifest = find_key(under, prefix + "backup_manifest");
  const Member* base_tar = nullptr;
  for (const auto& m : under)
    if (m.kind == kind::base_tar && parent_dir(m.key) == dir) base_tar = &m;

  json label_detail, control_detail;
  if (base_tar) {
    f.format = "base_tar";
    label_detail = base_tar->detail.value("backup_label", json());
    control_detail = base_tar->detail.value("pg_control", json());
    auto name = base_tar->key.substr(base_tar->key.rfind('/') + 1);
    f.compression = name.ends_with(".gz") || name.ends_with(".tgz") ? "gzip"
                    : name.ends_with(".zst")                        ? "zstd"
                    : name.ends_with(".lz4")                        ? "lz4"
                                                                    : "none";
  } else {
    f.format = "base_plain";
    if (label) label_detail = label->detail;
    if (control) control_detail = control->detail;
    if (!control) add_problem(f, "global/pg_control is missing");
  }
  if (label_detail.is_null()) add_problem(f, "backup_label is missing or unreadable");

  f.start_lsn = opt_int(label_detail, "start_lsn");
  f.timeline = opt_int(label_detail, "start_timeline");
  f.start_time = opt_string(label_detail, "start_time");
  f.label = opt_string(label_detail, "label");
  std::optional<std::string> sysid = opt_string(control_detail, "system_identifier");
  if (!sysid && manifest) sysid = opt_string(manifest->detail, "system_identifier");
  if (sysid) {
    int major = control_detail.is_object() ? control_detail.value("pg_major", 0) : 0;
    f.cluster_id = ensure_cluster(
        db, *sysid, major,
        control_detail.is_object() ? control_detail.value("wal_segment_size", 0u) : 0u);
    if (major > 0) f.server_version = std::to_string(major);
  }
  if (manifest && manifest->detail.is_object() && manifest->detail.contains("wal_ranges")) {
    const json& ranges = manifest->detail["wal_ranges"];
    if (!ranges.empty()) { // newest timeline first
      f.stop_lsn = ranges[0]["end_lsn"].get<std::int64_t>();
      f.stop_timeline = ranges[0]["timeline"].get<std::int64_t>();
    }
  }
  auto set_kind = db.prepare("UPDATE objects SET kind = ? WHERE id = ?");
  for (const auto& m : under) {
    std::string role = "file";
    if (&m == label)
      role = "label";
    else if (&m == control)
      role = "pg_control";
    else if (&m == manifest)
      role = "manifest";
    else if (&m == base_tar)
      role = "base_tar";
    else if (m.kind == kind::wal_tar)
      role = "wal_tar";
    else if (base_tar && parent_dir(m.key) == dir && m.key.find(".tar") != std::string::npos) {
      role = "tablespace_tar";
      if (m.kind == kind::other) set_kind.bind_all(kind::tablespace_tar, m.id).run();
    } else if (m.kind == kind::other) {
      set_kind.bind_all(kind::base_file, m.id).run();
    }
    f.members.emplace_back(m.id, role);
    f.size += m.size;
    if (m.problem) add_problem(f, m.key + ": " + *m.problem);
  }
  return f;
}

// A dump whose header names no database (plain, made without -C) is named
// by its key, by the repository's rule (catalog/dump_database_name.hpp). A
// pg_dumpall script holds many: it stays without one.
void name_database(BackupFacts& f, const std::optional<std::string>& pattern)
{
  if (f.kind != "logical" || f.database || f.format == "plain_cluster") return;
  f.database = database_from_name(f.root_key, pattern.value_or(""));
}

std::string id_name_part(const BackupFacts& f)
{
  std::string source = f.database.value_or(f.kind == "physical" ? "base" : "dump");
  std::string out;
  for (char c : source) {
    if (out.size() >= 24) break;
    if (std::isalnum(static_cast<unsigned char>(c)))
      out.push_back(static_cast<char>(std::tolower(c)));
    else if (!out.empty() && out.back() != '-')
      out.push_back('-');
  }
  while (!out.empty() && out.back() == '-')
    out.pop_back();
  return out.empty() ? "backup" : out;
}

} // namespace

bool upsert_backup(Database& db, std::int64_t repository_id, const BackupFacts& f,
                   const std::string& now)
{
  auto find = db.prepare("SELECT id FROM backups WHERE repository_id = ? AND root_key = ?");
  find.bind_all(repository_id, f.root_key);
  std::int64_t id;
  bool created = false;
  if (find.step()) {
    id = find.int64(0);
    db.prepare("UPDATE backups SET kind = ?, format = ?,"
               // `lastgood backup` records the dumped server's cluster (catalog/ingest): keep it.
               " cluster_id = coalesce(?, CASE WHEN kind = 'logical' THEN cluster_id END),"
               " source = ?, database = ?, label = ?,"
               // A logical backup has a start time only when `lastgood backup` took it
               // and recorded its exact times (catalog/ingest); a scan keeps them.
               " start_time = coalesce(?, CASE WHEN kind = 'logical' THEN start_time END),"
               " stop_time = CASE WHEN kind = 'logical' AND start_time IS NOT NULL THEN stop_time "
               "ELSE ? END,"
               " start_lsn = ?, stop_lsn = coalesce(?, stop_lsn),"
               " timeline = ?, stop_timeline = coalesce(?, stop_timeline), server_version = ?,"
               " tool_version = ?, compression = ?, size_bytes = ?, problem = ?, last_seen = ?"
               " WHERE id = ?")
        .bind_all(f.kind, f.format, f.cluster_id, f.source, f.database, f.label, f.start_time,
                  f.stop_time, f.start_lsn, f.stop_lsn, f.timeline, f.stop_timeline,
                  f.server_version, f.tool_version, f.compression, f.size, f.problem, now, id)
        .run();
  } else {
    const std::string when = f.start_time.value_or(f.stop_time.value_or(now));
    const std::string stable = std::to_string(repository_id) + ":" + f.root_key;
    std::string backup_id;
    for (std::size_t chars = 4; chars <= 64; chars += 2) {
      backup_id = make_backup_id(when, id_name_part(f), stable, chars);
      auto taken = db.prepare("SELECT 1 FROM backups WHERE backup_id = ?");
      taken.bind(1, backup_id);
      if (!taken.step()) break;
    }
    db.prepare(
          "INSERT INTO backups (backup_id, repository_id, root_key, kind, format, cluster_id,"
          " source, database, label, start_time, stop_time, start_lsn, stop_lsn, timeline,"
          " stop_timeline,"
          " server_version, tool_version, compression, size_bytes, problem, first_seen, last_seen)"
          " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)")
        .bind_all(backup_id, repository_id, f.root_key, f.kind, f.format, f.cluster_id, f.source,
                  f.database, f.label, f.start_time, f.stop_time, f.start_lsn, f.stop_lsn,
                  f.timeline, f.stop_timeline, f.server_version, f.tool_version, f.compression,
                  f.size, f.problem, now, now)
        .run();
    id = db.last_insert_id();
    created = true;
  }
  db.prepare("DELETE FROM backup_objects WHERE backup_id = ?").bind(1, id).run();
  auto add = db.prepare("INSERT INTO backup_objects (backup_id, object_id, role) VALUES (?, ?, ?)");
  for (const auto& [object_id, role] : f.members)
    add.bind_all(id, object_id, role).run();
  return created;
}

std::string make_backup_id(const std::string& time_rfc3339, const std::string& name,
                           const std::string& stable_key, std::size_t hash_chars)
{
  // "2026-11-22T02:00:00Z" -> "20261122T0200"
  std::string stamp;
  for (char c : time_rfc3339.substr(0, 16))
    if (c != '-' && c != ':') stamp.push_back(c);
  return stamp + "-" + name + "-" + Sha256::of(stable_key).substr(0, hash_chars);
}

BuildSummary build_backups(Database& db, std::int64_t repository_id, const std::string& now)
{
  BuildSummary summary;
  // The repository's source and naming rule (migration 0009) apply to all its backups.
  std::optional<std::string> source, pattern, format;
  {
    auto repo =
        db.prepare("SELECT source, database_from_name, format FROM repositories WHERE id = ?");
    repo.bind(1, repository_id);
    if (repo.step()) {
      source = repo.opt_text(0);
      pattern = repo.opt_text(1);
      format = repo.opt_text(2);
    }
  }
  // A pgBackRest repository's backups come from its backup.info
  // (catalog/pgbackrest_backups): its files are not backups by themselves
  // (a diff backup's directory holds only the files that changed).
  const bool pgbackrest = format == "pgbackrest";
  // So do a Barman server's, from their backup.info (catalog/barman_backups).
  const bool barman = format == "barman";
  auto roots = db.prepare(
      "SELECT id, key, kind, size, coalesce(mtime_ns, 0), detail, problem FROM objects"
      " WHERE repository_id = ? AND missing_since IS NULL AND kind IN"
      " ('custom_dump', 'tar_dump', 'plain_dump', 'dump_toc', 'backup_label', 'base_tar')"
      " ORDER BY key");
  roots.bind(1, repository_id);
  std::vector<Member> candidates;
  while (roots.step())
    candidates.push_back(Member{
        roots.int64(0), roots.text(1), roots.text(2), static_cast<std::uint64_t>(roots.int64(3)),
        roots.int64(4), roots.is_null(5) ? json() : json::parse(roots.text(5)), roots.opt_text(6)});
  std::map<std::string, bool> physical_dirs; // dir -> seen
  for (const auto& m : candidates) {
    if (pgbackrest && m.key.starts_with("backup/")) continue;
    if (barman && m.key.starts_with("base/")) continue;
    std::optional<BackupFacts> facts;
    if (m.kind == kind::dump_toc) {
      facts = logical_from_directory(m, objects_under(db, repository_id, parent_dir(m.key)), db);
    } else if (m.kind == kind::backup_label || m.kind == kind::base_tar) {
      auto dir = parent_dir(m.key);
      if (physical_dirs.emplace(dir, true).second)
        facts = physical(dir, objects_under(db, repository_id, dir), db);
    } else {
      facts = logical_from_file(m);
    }
    if (!facts) continue;
    facts->source = source;
    name_database(*facts, pattern);
    ++summary.backups;
    if (upsert_backup(db, repository_id, *facts, now)) ++summary.new_backups;
  }
  return summary;
}

void link_wal_facts(Database& db, const std::string& now)
{
  // History and .backup files carry no system identifier: they belong to the
  // cluster whose segments sit in the same directory.
  for (const char* table : {"timeline_history", "backup_history_files"}) {
    auto pending =
        db.prepare(std::string("SELECT DISTINCT t.object_id, o.repository_id, o.key FROM ") +
                   table + " t JOIN objects o ON o.id = t.object_id WHERE t.cluster_id IS NULL");
    std::vector<std::tuple<std::int64_t, std::int64_t, std::string>> rows;
    while (pending.step())
      rows.emplace_back(pending.int64(0), pending.int64(1), pending.text(2));
    auto dominant =
        db.prepare("SELECT ws.cluster_id FROM wal_segments ws JOIN objects o ON o.id = ws.object_id"
                   " WHERE o.repository_id = ? AND o.key >= ? AND o.key < ?"
                   " AND ws.cluster_id IS NOT NULL GROUP BY 1 ORDER BY count(*) DESC LIMIT 1");
    auto set =
        db.prepare(std::string("UPDATE ") + table + " SET cluster_id = ? WHERE object_id = ?");
    for (const auto& [object_id, repository_id, key] : rows) {
      auto dir = parent_dir(key);
      dominant.bind_all(repository_id, dir.empty() ? "" : dir + "/",
                        dir.empty() ? after_every_key(db) : dir + "0");
      if (dominant.step()) {
        auto cluster = dominant.int64(0);
        dominant.reset();
        set.bind_all(cluster, object_id).run();
      } else {
        dominant.reset();
      }
    }
  }
  // A base backup's end comes from its manifest or, failing that, its .backup file.
  db.exec("UPDATE backups SET stop_lsn = coalesce(backups.stop_lsn, h.stop_lsn),"
          " stop_timeline = coalesce(backups.stop_timeline, h.stop_timeline),"
          " stop_time = coalesce(backups.stop_time, h.stop_time),"
          " start_time = coalesce(backups.start_time, h.start_time)"
          " FROM backup_history_files h JOIN objects o ON o.id = h.object_id AND o.missing_since "
          "IS NULL"
          " WHERE backups.kind = 'physical' AND h.start_lsn = backups.start_lsn"
          // A Barman backup not DONE has no stop on purpose (catalog/barman_backups).
          " AND backups.format <> 'barman'"
          " AND (h.cluster_id IS NULL OR backups.cluster_id IS NULL OR h.cluster_id = "
          "backups.cluster_id)");
  db.prepare("UPDATE backups SET missing_since = ? WHERE missing_since IS NULL AND EXISTS ("
             " SELECT 1 FROM backup_objects bo JOIN objects o ON o.id = bo.object_id"
             " WHERE bo.backup_id = backups.id AND o.missing_since IS NOT NULL)")
      .bind(1, now)
      .run();
  db.exec("UPDATE backups SET missing_since = NULL WHERE missing_since IS NOT NULL AND NOT EXISTS ("
          " SELECT 1 FROM backup_objects bo JOIN objects o ON o.id = bo.object_id"
          " WHERE bo.backup_id = backups.id AND o.missing_since IS NOT NULL)");
}

} // namespace lastgood::catalog
