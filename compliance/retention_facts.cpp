#include "compliance/retention_facts.hpp"

#include "catalog/repositories.hpp"
#include "compliance/holds.hpp"

#include <map>
#include <set>

namespace lastgood::compliance {

namespace {

std::optional<TimePoint> opt_time(const std::optional<std::string>& text)
{
  if (!text) return std::nullopt;
  return parse_rfc3339(*text);
}

// A retain-until we cannot read is taken as a lock that never ends: keeping
// too much is recoverable, deleting too much is not.
TimePoint lock_time(const std::string& text)
{
  try {
    return parse_rfc3339(text);
  } catch (const std::exception&) {
    return parse_rfc3339("9999-12-31T00:00:00Z");
  }
}

} // namespace

std::vector<BackupFacts> load_backup_facts(catalog::Database& db, const LastGoodLookup& last_good)
{
  auto s = db.prepare(
      "SELECT b.id, b.backup_id, r.name, r.removed_at IS NULL, b.kind, b.status, b.database, "
      "c.system_identifier,"
      " b.missing_since, coalesce(b.stop_time, b.start_time), b.start_lsn, b.stop_lsn, b.timeline, "
      "b.stop_timeline,"
      " b.size_bytes, b.root_key, b.source"
      " FROM backups b JOIN repositories r ON r.id = b.repository_id"
      " LEFT JOIN clusters c ON c.id = b.cluster_id WHERE b.deleted_at IS NULL ORDER BY b.id");
  std::vector<BackupFacts> out;
  std::map<std::int64_t, std::size_t> by_row;
  while (s.step()) {
    BackupFacts f;
    f.row_id = s.int64(0);
    f.backup_id = s.text(1);
    f.repository = s.text(2);
    f.repository_active = s.int64(3) != 0;
    f.kind = s.text(4);
    f.status = s.text(5);
    f.database = s.opt_text(6);
    f.system_identifier = s.opt_text(7);
    f.missing_since = s.opt_text(8);
    f.time = opt_time(s.opt_text(9));
    f.start_lsn = s.opt_int64(10);
    f.stop_lsn = s.opt_int64(11);
    f.timeline = s.opt_int64(12);
    f.stop_timeline = s.opt_int64(13);
    f.size_bytes = static_cast<std::uint64_t>(s.int64(14));
    f.root_key = s.text(15);
    f.source = s.opt_text(16);
    by_row[f.row_id] = out.size();
    out.push_back(std::move(f));
  }
  for (const auto& h : list_holds(db)) {
    auto it = by_row.find(h.backup_row_id);
    if (it == by_row.end()) continue;
    HoldFact fact;
    fact.id = h.id;
    fact.reason = h.reason;
    fact.until = opt_time(h.until);
    fact.released = h.released_at.has_value();
    out[it->second].holds.push_back(std::move(fact));
  }
  auto locks = db.prepare(
      "SELECT bo.backup_id, o.key, o.retain_until FROM backup_objects bo"
      " JOIN objects o ON o.id = bo.object_id"
      " WHERE o.retain_until IS NOT NULL AND o.retain_until <> '' AND o.deleted_at IS NULL");
  while (locks.step()) {
    auto it = by_row.find(locks.int64(0));
    if (it != by_row.end())
      out[it->second].locks.push_back({locks.text(1), lock_time(locks.text(2))});
  }
  // The last known good backup of each database and cluster, as `pick` says.
  // Only scopes holding a good backup can have a last good one: asking pick
  // about the others would cost a catalog scan each and find nothing.
  std::set<std::pair<std::string, std::string>> databases; // source label, database
  std::set<std::string> clusters;
  for (const auto& f : out) {
    if (f.status != "good" || f.missing_since) continue;
    if (f.kind == "logical" && f.database)
      databases.insert({f.source.value_or(catalog::kDefaultSource), *f.database});
    if (f.kind == "physical" && f.system_identifier) clusters.insert(*f.system_identifier);
  }
  std::set<std::string> good;
  for (const auto& [source, database] : databases)
    if (auto id = last_good(GoodScope{database, source, std::nullopt})) good.insert(*id);
  for (const auto& c : clusters)
    if (auto id = last_good(GoodScope{std::nullopt, std::nullopt, c})) good.insert(*id);
  for (auto& f : out)
    f.last_good = good.count(f.backup_id) > 0;
  return out;
}

std::vector<WalSegmentFacts> load_wal_facts(catalog::Database& db)
{
  // Segments that belong to a base backup (its pg_wal) go with that backup, not here.
  auto s = db.prepare(
      "SELECT ws.object_id, r.name, r.removed_at IS NULL, o.key, ws.name, c.system_identifier, "
      "ws.timeline,"
      " ws.segno, ws.segment_size, ws.partial, o.size, o.retain_until"
      " FROM wal_segments ws JOIN objects o ON o.id = ws.object_id"
      " JOIN repositories r ON r.id = o.repository_id LEFT JOIN clusters c ON c.id = ws.cluster_id"
      " WHERE o.deleted_at IS NULL AND o.missing_since IS NULL AND o.kind IN ('wal_segment', "
      "'wal_partial')"
      " AND NOT EXISTS (SELECT 1 FROM backup_objects bo WHERE bo.object_id = o.id)"
      " ORDER BY ws.object_id");
  std::vector<WalSegmentFacts> out;
  while (s.step()) {
    WalSegmentFacts w;
    w.object_id = s.int64(0);
    w.repository = s.text(1);
    w.repository_active = s.int64(2) != 0;
    w.key = s.text(3);
    w.name = s.text(4);
    w.system_identifier = s.opt_text(5);
    w.timeline = static_cast<std::uint32_t>(s.int64(6));
    w.segno = static_cast<std::uint64_t>(s.int64(7));
    w.segment_size = static_cast<std::uint64_t>(s.int64(8));
    w.partial = s.int64(9) != 0;
    w.size = static_cast<std::uint64_t>(s.int64(10));
    auto until = s.opt_text(11);
    if (until && !until->empty()) w.retain_until = lock_time(*until);
    out.push_back(std::move(w));
  }
  return out;
}

} // namespace lastgood::compliance
