#include "restore/wal_search.hpp"

#include "catalog/wal_chain.hpp"
#include "common/error.hpp"
#include "common/time.hpp"
#include "restore/cluster_choice.hpp"
#include "restore/relation_created_late.hpp"
#include "restore/relation_from_backup.hpp"
#include "restore/wal_activity_scan.hpp"

#include <algorithm>
#include <array>
#include <limits>
#include <map>
#include <set>

namespace lastgood::restore {

namespace {

// How far a commit's time may lag behind a later one's in WAL order: a
// backend takes the time before it writes the record.
constexpr std::chrono::seconds kCommitTimeSlack{10};

constexpr std::array kOperations = {"drop",   "truncate", "rewrite", "delete",
                                    "update", "insert",   "create"};

// Fixed width ("...:02.000000Z") so times compare as text with pg_waldump's.
std::string fixed_width(TimeUs t)
{
  auto s = format_target_time(t);
  return s.find('.') == std::string::npos ? s.substr(0, s.size() - 1) + ".000000Z" : s;
}

// One transaction over all segments it wrote in, limited to the database searched.
struct Transaction
{
  std::uint64_t first_lsn = UINT64_MAX;
  std::optional<std::uint64_t> end_lsn;
  std::optional<std::string> time;
  std::string kind;
  std::uint32_t timeline = 0;
  std::vector<std::uint32_t> subxacts;
  std::map<pg::RelFile, pg::RelationTouch> touches;
  std::set<pg::RelFile> created, dropped;
  std::set<pg::RelationOid> locked, dropped_stats, truncated;
  std::uint64_t full_page_images = 0;
};

bool in_database(const pg::TransactionActivity& t, std::optional<std::uint32_t> wanted)
{
  if (!wanted) return true;
  const auto database = *wanted;
  auto file_in = [&](const pg::RelFile& f) { return f.database == database; };
  auto oid_in = [&](const pg::RelationOid& o) { return o.database == database; };
  return std::any_of(t.touches.begin(), t.touches.end(),
                     [&](const auto& touch) { return file_in(touch.file); }) ||
         std::any_of(t.created.begin(), t.created.end(), file_in) ||
         std::any_of(t.dropped.begin(), t.dropped.end(), file_in) ||
         std::any_of(t.locked.begin(), t.locked.end(), oid_in) ||
         std::any_of(t.dropped_stats.begin(), t.dropped_stats.end(), oid_in) ||
         std::any_of(t.truncated.begin(), t.truncated.end(), oid_in);
}

void merge(Transaction& into, const pg::TransactionActivity& t,
           std::optional<std::uint32_t> database)
{
  auto ours = [&](const pg::RelFile& f) { return !database || f.database == *database; };
  into.first_lsn = std::min(into.first_lsn, t.first_lsn);
  for (const auto& touch : t.touches) {
    if (!ours(touch.file)) continue;
    auto& sum = into.touches[touch.file];
    sum.file = touch.file;
    sum.inserts += touch.inserts;
    sum.updates += touch.updates;
    sum.deletes += touch.deletes;
    sum.records += touch.records;
  }
  for (const auto& f : t.created)
    if (ours(f)) into.created.insert(f);
  for (const auto& f : t.dropped)
    if (ours(f)) into.dropped.insert(f);
  into.locked.insert(t.locked.begin(), t.locked.end());
  into.dropped_stats.insert(t.dropped_stats.begin(), t.dropped_stats.end());
  into.truncated.insert(t.truncated.begin(), t.truncated.end());
  into.full_page_images += t.full_page_images;
}

void merge(Transaction& into, const Transaction& sub)
{
  into.first_lsn = std::min(into.first_lsn, sub.first_lsn);
  for (const auto& [file, touch] : sub.touches) {
    auto& sum = into.touches[file];
    sum.file = file;
    sum.inserts += touch.inserts;
    sum.updates += touch.updates;
    sum.deletes += touch.deletes;
    sum.records += touch.records;
  }
  into.created.insert(sub.created.begin(), sub.created.end());
  into.dropped.insert(sub.dropped.begin(), sub.dropped.end());
  into.locked.insert(sub.locked.begin(), sub.locked.end());
  into.dropped_stats.insert(sub.dropped_stats.begin(), sub.dropped_stats.end());
  into.truncated.insert(sub.truncated.begin(), sub.truncated.end());
  into.full_page_images += sub.full_page_images;
}

bool intersects(const std::set<pg::RelFile>& a, const std::set<pg::RelFile>& b)
{
  return std::any_of(a.begin(), a.end(), [&](const auto& f) { return b.count(f) > 0; });
}

std::vector<std::string> operations_of(const Transaction& t, const pg::RelationOid& me,
                                       const std::set<pg::RelFile>& files, WalSearchHit& hit)
{
  std::set<std::string> ops;
  const bool locked = t.locked.count(me) > 0;
  const bool drops_ours = intersects(t.dropped, files);
  if (t.dropped_stats.count(me) || (locked && drops_ours && t.created.empty())) ops.insert("drop");
  if (t.truncated.count(me) ||
      (locked && drops_ours && !t.created.empty() && t.full_page_images <= t.created.size()))
    ops.insert("truncate");
  if (locked && drops_ours && !t.created.empty() && t.full_page_images > t.created.size() &&
      !t.truncated.count(me))
    ops.insert("rewrite");
  if (locked && !drops_ours && intersects(t.created, files)) ops.insert("create");
  for (const auto& [file, touch] : t.touches) {
    if (!files.count(file)) continue;
    hit.records += touch.records;
    hit.rows_inserted += touch.inserts;
    hit.rows_updated += touch.updates;
    hit.rows_deleted += touch.deletes;
  }
  if (hit.rows_deleted) ops.insert("delete");
  if (hit.rows_updated) ops.insert("update");
  if (hit.rows_inserted) ops.insert("insert");
  std::vector<std::string> out;
  for (const char* op : kOperations)
    if (ops.count(op)) out.emplace_back(op);
  return out;
}

bool in_window(const Transaction& t, const std::optional<std::string>& after,
               const std::optional<std::string>& before)
{
  if (after && (!t.time || *t.time < *after)) return false;
  if (before && (!t.time || *t.time > *before)) return false;
  return true;
}

// Committed transactions in the window that changed or dropped relation files
// another transaction created, and committed, before them: tables created
// after the base backup the search started from, named in pg_class just before.
std::vector<EventWithUnknownFiles>
events_on_files_created_later(const std::map<std::uint32_t, Transaction>& transactions,
                              const std::optional<std::string>& after,
                              const std::optional<std::string>& before)
{
  std::map<pg::RelFile, std::pair<std::uint32_t, std::uint64_t>> creator; // xid, commit LSN
  for (const auto& [xid, t] : transactions)
    if (t.kind == "commit" && t.end_lsn)
      for (const auto& f : t.created)
        creator.emplace(f, std::pair{xid, *t.end_lsn});
  std::vector<EventWithUnknownFiles> events;
  for (const auto& [xid, t] : transactions) {
    if (t.kind != "commit" || !t.end_lsn || !in_window(t, after, before)) continue;
    EventWithUnknownFiles event{xid, t.first_lsn, {}};
    auto consider = [&](const pg::RelFile& f) {
      auto c = creator.find(f);
      if (c != creator.end() && c->second.first != xid && c->second.second < t.first_lsn)
        event.files.insert(f);
    };
    for (const auto& [file, touch] : t.touches)
      consider(file);
    for (const auto& f : t.dropped)
      consider(f);
    if (!event.files.empty()) events.push_back(std::move(event));
  }
  return events;
}

std::string file_list(const std::set<pg::RelFile>& files)
{
  std::string out;
  for (const auto& f : files)
    out += (out.empty() ? "" : ", ") + std::to_string(f.tablespace) + "/" +
           std::to_string(f.database) + "/" + std::to_string(f.relfilenode);
  return out;
}

} // namespace

WalSearchResult search_wal(catalog::Database& db, const WalSearchRequest& req)
{
  if (req.op != "any" &&
      std::find(kOperations.begin(), kOperations.end(), req.op) == kOperations.end())
    throw UsageError("--op takes drop, truncate, delete, update, insert or any, not '" + req.op +
                     "'");
  if (req.database.empty()) throw UsageError("wal search needs --database DB");
  WalSearchResult r;
  r.database = req.database;
  r.op = req.op;
  const auto dot = req.table.find('.');
  r.schema = dot == std::string::npos ? "public" : req.table.substr(0, dot);
  r.table = dot == std::string::npos ? req.table : req.table.substr(dot + 1);
  if (r.table.empty() || r.schema.empty())
    throw UsageError("--table takes SCHEMA.TABLE, not '" + req.table + "'");
  if (req.after && req.before && *req.before < *req.after)
    throw UsageError("--before is earlier than --after");
  const auto cluster = resolve_cluster(db, req.cluster);
  if (!cluster)
    throw Error(req.cluster ? "no archived WAL of cluster " + *req.cluster + " in the catalog"
                            : "no archived WAL in the catalog: add the repository and scan it");
  r.system_identifier = cluster->system_identifier;
  const std::string name = r.schema + "." + r.table;

  // Who the table is: OID and relation file.
  std::optional<std::uint64_t> follow_from; // WAL before this LSN is not searched
  std::string resolving_backup;
  // The newest base backup before the window has no such table: it may have
  // been created after it (resolved once the WAL after that backup is read).
  std::optional<catalog::BaseBackupRow> created_after;
  std::optional<std::uint32_t> database_oid;
  if (req.dbname) {
    if (auto found = pg::lookup_relation(*req.dbname, req.database, r.schema, r.table)) {
      r.identity = found;
      r.resolved_from = "live server (--dbname)";
    } else {
      r.notes.push_back("the live server has no table " + name + " in " + req.database +
                        " (dropped?): looking in base backups");
    }
  }
  if (!r.identity) {
    std::optional<std::string> stopped_by;
    if (req.after)
      stopped_by = format_rfc3339(TimePoint{std::chrono::floor<std::chrono::seconds>(*req.after)});
    else if (req.before)
      stopped_by = format_rfc3339(TimePoint{std::chrono::floor<std::chrono::seconds>(*req.before)});
    auto look =
        relation_from_base_backups(db, cluster->id, req.database, r.schema, r.table, stopped_by,
                                   req.verify, req.config_path, req.max_backup_restores);
    for (auto& n : look.notes)
      r.notes.push_back(std::move(n));
    if (look.identity) {
      r.identity = look.identity;
      r.resolved_from = "base backup " + look.backup_id + " (pg_class of a test-restored copy" +
                        (look.restored ? "" : ", kept in the catalog") + ")";
      follow_from = look.backup_start_lsn;
      resolving_backup = look.backup_id;
    } else if (look.lacking) {
      created_after = look.lacking;
      database_oid = look.lacking_database_oid;
      follow_from = static_cast<std::uint64_t>(look.lacking->start_lsn);
      resolving_backup = look.lacking->backup_id;
    }
  }
  if (!r.identity && !created_after) {
    r.notes.push_back("cannot resolve " + name + " in " + req.database +
                      " for any part of the window: no live server knows it (--dbname) and no "
                      "base backup taken before the window has it; nothing was searched");
    return r;
  }
  // Unknown only for a name not yet resolved from a backup read before this
  // was recorded: then every database's transactions are kept.
  if (r.identity) database_oid = r.identity->database_oid;
  const auto after = req.after ? std::optional(fixed_width(*req.after)) : std::nullopt;
  const auto before = req.before ? std::optional(fixed_width(*req.before)) : std::nullopt;
  // Followed forward from a base backup, the table's files need no WAL past
  // the window: reading stops after the first segment with a commit or abort
  // stamped later than --before by more than the slack (commit times follow
  // WAL order but for backends stalled between taking the time and writing
  // the record). Resolved on a live server, the files are followed back from
  // today's: the whole archive is read.
  const auto read_until = before && follow_from
                              ? std::optional(fixed_width(*req.before + kCommitTimeSlack))
                              : std::nullopt;

  // Every segment from the window's start (or the resolving backup's) to the
  // window's end, or to the end of the archive (see read_until).
  catalog::WalChain chain(db, cluster->id);
  const auto path = search_path(chain, req.timeline);
  WalActivityScanner scanner(db, chain, cluster->segment_size);
  std::map<std::uint32_t, Transaction> transactions;
  std::optional<std::int64_t> after_ns;
  if (req.after && !follow_from) {
    // Nanoseconds end in 2262: a later --after matches nothing, not overflow.
    constexpr auto last =
        std::chrono::duration_cast<std::chrono::seconds>(std::chrono::nanoseconds::max());
    const auto since = req.after->time_since_epoch();
    after_ns = since >= last ? std::numeric_limits<std::int64_t>::max()
               : since <= -last
                   ? std::numeric_limits<std::int64_t>::min()
                   : std::chrono::duration_cast<std::chrono::nanoseconds>(since).count();
  }
  bool skipped_before_backup = false;
  std::optional<std::string> window_passed_in; // the segment whose commits passed read_until
  for (const auto& span : archive_spans(db, chain, path, cluster->segment_size)) {
    if (span.last < span.first || window_passed_in) continue;
    std::uint64_t start = span.first;
    if (follow_from) {
      auto from = pg::segment_of(pg::Lsn{*follow_from}, cluster->segment_size);
      if (from > span.last) {
        skipped_before_backup = true;
        continue;
      }
      if (from > start) skipped_before_backup = true;
      start = std::max(start, from);
    } else if (after_ns) {
      auto first = chain.first_archived_after(span.timeline, span.first, span.last, *after_ns);
      if (!first) continue;
      start = *first;
    }
    for (auto segno = start; segno <= span.last && !window_passed_in; ++segno) {
      auto seg = scanner.read(span.timeline, segno);
      if (!seg) continue;
      ++r.segments_scanned;
      if (!r.first_segment) r.first_segment = seg->file.name;
      r.last_segment = seg->file.name;
      for (const auto& t : seg->activity.transactions) {
        if (read_until && t.end_time && *t.end_time > *read_until)
          window_passed_in = seg->file.name;
        auto it = transactions.find(t.xid);
        if (it == transactions.end()) {
          bool wanted = in_database(t, database_oid);
          for (auto sub : t.subxacts)
            wanted = wanted || transactions.count(sub);
          if (!wanted) continue;
          it = transactions.emplace(t.xid, Transaction{}).first;
        }
        merge(it->second, t, database_oid);
        if (t.end_lsn) {
          it->second.end_lsn = t.end_lsn;
          it->second.time = t.end_time;
          it->second.kind = t.end_kind;
          it->second.timeline = seg->file.timeline;
          it->second.subxacts = t.subxacts;
        }
      }
    }
  }
  r.segments_read = static_cast<std::uint64_t>(scanner.segments_read());
  r.segments_cached = static_cast<std::uint64_t>(scanner.segments_cached());
  r.window_end_segment = window_passed_in;
  if (skipped_before_backup)
    r.notes.push_back("WAL before base backup " + resolving_backup +
                      " started was not searched: the name is resolved as of that backup");
  if (window_passed_in)
    r.notes.push_back("WAL after " + *window_passed_in +
                      " was not read: it has commits later than --before by more than " +
                      std::to_string(kCommitTimeSlack.count()) + "s");

  // Subtransactions' work counts for the transaction that committed them.
  for (auto& [xid, t] : transactions)
    for (auto sub : t.subxacts)
      if (auto it = transactions.find(sub); it != transactions.end() && sub != xid) {
        merge(t, it->second);
        it->second = Transaction{};
      }
  if (!r.identity) {
    auto late =
        relation_created_after_backup(db, *created_after, req.database, r.schema, r.table,
                                      events_on_files_created_later(transactions, after, before),
                                      req.verify, req.config_path, req.max_point_recoveries);
    for (auto& n : late.notes)
      r.notes.push_back(std::move(n));
    if (!late.identity) {
      r.notes.push_back("cannot resolve " + name + " in " + req.database + ": base backup " +
                        created_after->backup_id +
                        " has no such table, and no table of that name owns the relation files "
                        "created after it that transactions in the window changed");
      r.hits.clear();
      return r;
    }
    r.identity = late.identity;
    r.resolved_from = "base backup " + created_after->backup_id + " recovered to just before " +
                      pg::Lsn{late.seen_before_lsn}.str() + " (pg_class there" +
                      (late.recovered ? "" : ", kept in the catalog") +
                      "): the table was created after the backup";
  }
  r.resolved = true;
  const auto& id = *r.identity;
  const pg::RelationOid me{id.database_oid, id.oid};

  // The table's relation files: the one resolved, and those a committed
  // transaction holding its exclusive lock swapped for one of them (TRUNCATE,
  // VACUUM FULL, CLUSTER, rewriting ALTER: new files created, old ones
  // dropped), until nothing changes. CREATE TABLE drops nothing and is not
  // followed (it may create other tables in the same transaction).
  std::set<pg::RelFile> files;
  if (id.relfilenode) files.insert({id.tablespace_oid, id.database_oid, id.relfilenode});
  for (bool grew = true; grew;) {
    grew = false;
    for (const auto& [xid, t] : transactions) {
      if (t.kind != "commit" || !t.locked.count(me) || t.dropped.empty() || t.created.empty())
        continue;
      if (!intersects(t.dropped, files) && !intersects(t.created, files)) continue;
      for (const auto* set : {&t.created, &t.dropped})
        for (const auto& f : *set)
          grew = files.insert(f).second || grew;
    }
  }
  if (files.size() > 1)
    r.notes.push_back("relation files of " + name +
                      " followed through TRUNCATE/rewrites by the "
                      "locks on its OID " +
                      std::to_string(id.oid) + ": " + file_list(files) +
                      " (row counts include its TOAST table's and index files carry none)");
  const std::string cluster_flag = req.cluster ? " --cluster " + *req.cluster : "";
  for (const auto& [xid, t] : transactions) {
    if (t.kind != "commit" || !t.end_lsn) continue; // aborted or unfinished: no damage done
    if (!in_window(t, after, before)) continue;
    WalSearchHit hit;
    hit.operations = operations_of(t, me, files, hit);
    if (hit.operations.empty()) continue;
    if (req.op != "any" &&
        std::find(hit.operations.begin(), hit.operations.end(), req.op) == hit.operations.end())
      continue;
    hit.xid = xid;
    hit.operation = hit.operations.front();
    hit.commit_time = t.time;
    hit.first_lsn = pg::Lsn{t.first_lsn};
    hit.commit_lsn = pg::Lsn{*t.end_lsn};
    hit.timeline = t.timeline;
    hit.plan_command =
        "lastgood plan --target-xid " + std::to_string(xid) + " --exclusive" + cluster_flag;
    // Paused just before a DROP/TRUNCATE/rewrite, recovery still holds the
    // transaction's exclusive lock and the table cannot be read: promote.
    const bool locks =
        hit.operation == "drop" || hit.operation == "truncate" || hit.operation == "rewrite";
    hit.restore_command = "lastgood restore --pgdata DIR --target-xid " + std::to_string(xid) +
                          " --exclusive" + (locks ? " --target-action promote" : "") + cluster_flag;
    r.hits.push_back(std::move(hit));
  }
  std::sort(r.hits.begin(), r.hits.end(),
            [](const auto& a, const auto& b) { return a.commit_lsn < b.commit_lsn; });
  return r;
}

} // namespace lastgood::restore
