#include "restore/wal_search.hpp"

#include "catalog/wal_chain.hpp"
#include "common/error.hpp"
#include "common/time.hpp"
#include "restore/cluster_choice.hpp"
#include "restore/relation_created_late.hpp"
#include "restore/relation_from_backup.hpp"
#include "restore/wal_activity_scan.hpp"
#include "restore/wal_search_transactions.hpp"

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

std::vector<std::string> operations_of(const SearchedTransaction& t, const pg::RelationOid& me,
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
  std::map<std::uint32_t, SearchedTransaction> transactions;
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
          it = transactions.emplace(t.xid, SearchedTransaction{}).first;
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
    r.notes.push_back("WAL after segment " + *window_passed_in + " was not read: " +
                      *window_passed_in + " already holds a commit stamped more than " +
                      std::to_string(kCommitTimeSlack.count()) + "s after --before");

  // Subtransactions' work counts for the transaction that committed them.
  for (auto& [xid, t] : transactions)
    for (auto sub : t.subxacts)
      if (auto it = transactions.find(sub); it != transactions.end() && sub != xid) {
        merge(t, it->second);
        it->second = SearchedTransaction{};
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
