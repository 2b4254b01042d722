#include "restore/relation_created_late.hpp"

#include "catalog/relations_before_lsn.hpp"
#include "common/error.hpp"
#include "pg/lsn.hpp"
#include "pg/scratch_cluster.hpp"
#include "restore/base_backup_inspect.hpp"

#include <algorithm>

namespace lastgood::restore {

namespace {

std::string file_name(const pg::RelFile& f)
{
  return std::to_string(f.tablespace) + "/" + std::to_string(f.database) + "/" +
         std::to_string(f.relfilenode);
}

pg::RelationIdentity identity_of(const catalog::RelfilenodeName& r)
{
  return {r.database_oid, r.relation_oid, r.tablespace_oid, r.relfilenode};
}

} // namespace

LateRelationLookup relation_created_after_backup(
    catalog::Database& db, const catalog::BaseBackupRow& backup, const std::string& database,
    const std::string& schema, const std::string& table, std::vector<EventWithUnknownFiles> events,
    const VerifyConfig& config, const std::string& config_path, int max_recoveries)
{
  LateRelationLookup out;
  auto by_name = [&]() -> bool {
    auto known = catalog::cached_relation_by_name(db, backup.id, database, schema, table);
    if (!known) return false;
    out.identity = identity_of(*known);
    out.seen_before_lsn = known->seen_before_lsn;
    return true;
  };
  if (by_name()) return out;
  std::sort(events.begin(), events.end(),
            [](const auto& a, const auto& b) { return a.first_lsn < b.first_lsn; });
  std::set<std::set<pg::RelFile>> tried;
  std::set<pg::RelFile> unresolved;
  for (const auto& event : events) {
    std::set<pg::RelFile> unknown;
    for (const auto& f : event.files)
      if (!catalog::cached_relfilenode_name(db, backup.id, database, f.tablespace, f.relfilenode))
        unknown.insert(f);
    // Files created before the event by a committed transaction are in
    // pg_class just before it: one look per distinct set answers for all.
    if (unknown.empty() || !tried.insert(unknown).second) continue;
    const std::string point = pg::Lsn{event.first_lsn}.str();
    auto outcome = catalog::lsn_lookup_outcome(db, backup.id, database, event.first_lsn);
    if (!outcome) {
      if (out.recovered >= max_recoveries) {
        out.notes.push_back("base backup " + backup.backup_id + " not recovered to just before " +
                            point + " (xid " + std::to_string(event.xid) + "): at most " +
                            std::to_string(max_recoveries) + " recoveries per search");
        unresolved.insert(unknown.begin(), unknown.end());
        continue;
      }
      ++out.recovered;
      std::vector<catalog::RelfilenodeName> seen;
      std::optional<std::string> unreadable;
      auto failure = inspect_base_backup(
          db, backup, event.first_lsn,
          [&](pg::ScratchCluster& cluster) {
            try {
              for (const auto& f : pg::relation_files(cluster.conninfo(database)))
                seen.push_back({f.identity.tablespace_oid, f.identity.relfilenode,
                                f.identity.database_oid, f.identity.oid, f.schema, f.name,
                                event.first_lsn});
            } catch (const DatabaseError& e) {
              unreadable = e.what();
            }
          },
          config, config_path);
      outcome = failure      ? "not recovered: " + *failure
                : unreadable ? "pg_class not read: " + *unreadable
                             : "read";
      catalog::store_lsn_lookup(db, backup.id, database, event.first_lsn, *outcome, seen);
    }
    if (*outcome != "read")
      out.notes.push_back("base backup " + backup.backup_id + " recovered to just before " + point +
                          ": " + *outcome);
    if (by_name()) return out;
    for (const auto& f : unknown)
      if (!catalog::cached_relfilenode_name(db, backup.id, database, f.tablespace, f.relfilenode))
        unresolved.insert(f);
  }
  if (!unresolved.empty()) {
    std::string list;
    for (const auto& f : unresolved)
      list += (list.empty() ? "" : ", ") + file_name(f);
    out.notes.push_back("relation files created after base backup " + backup.backup_id +
                        " whose table could not be named: " + list +
                        " (events on them in the window are not attributed to any table)");
  }
  return out;
}

} // namespace lastgood::restore
