#include "compliance/retention_facts.hpp"

#include "catalog/repositories.hpp"
#include "catalog/retention_queries.hpp"
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
  std::vector<BackupFacts> out;
  std::map<std::int64_t, std::size_t> by_row;
  for (auto& row : catalog::retention_backups(db)) {
    BackupFacts f;
    f.row_id = row.row_id;
    f.backup_id = std::move(row.backup_id);
    f.repository = std::move(row.repository);
    f.repository_active = row.repository_active;
    f.kind = std::move(row.kind);
    f.status = std::move(row.status);
    f.database = std::move(row.database);
    f.system_identifier = std::move(row.system_identifier);
    f.missing_since = std::move(row.missing_since);
    f.time = opt_time(row.time);
    f.start_lsn = row.start_lsn;
    f.stop_lsn = row.stop_lsn;
    f.timeline = row.timeline;
    f.stop_timeline = row.stop_timeline;
    f.size_bytes = row.size_bytes;
    f.root_key = std::move(row.root_key);
    f.source = std::move(row.source);
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
  for (const auto& lock : catalog::backup_object_locks(db)) {
    auto it = by_row.find(lock.backup_row_id);
    if (it != by_row.end())
      out[it->second].locks.push_back({lock.key, lock_time(lock.retain_until)});
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
  std::vector<WalSegmentFacts> out;
  for (auto& row : catalog::retention_wal_segments(db)) {
    WalSegmentFacts w;
    w.object_id = row.object_id;
    w.repository = std::move(row.repository);
    w.repository_active = row.repository_active;
    w.key = std::move(row.key);
    w.name = std::move(row.name);
    w.system_identifier = std::move(row.system_identifier);
    w.timeline = static_cast<std::uint32_t>(row.timeline);
    w.segno = static_cast<std::uint64_t>(row.segno);
    w.segment_size = static_cast<std::uint64_t>(row.segment_size);
    w.partial = row.partial;
    w.size = static_cast<std::uint64_t>(row.size);
    if (row.retain_until && !row.retain_until->empty())
      w.retain_until = lock_time(*row.retain_until);
    out.push_back(std::move(w));
  }
  return out;
}

} // namespace lastgood::compliance
