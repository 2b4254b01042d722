#include "restore/relation_from_backup.hpp"

#include "catalog/backup_queries.hpp"
#include "catalog/base_backup_candidates.hpp"
#include "catalog/base_backup_relations.hpp"
#include "catalog/repositories.hpp"
#include "common/error.hpp"
#include "pg/scratch_cluster.hpp"
#include "storage/storage.hpp"
#include "verifier/physical_restore_level.hpp"

namespace lastgood::restore {

namespace {

pg::RelationIdentity identity_of(const catalog::BackupRelation& r)
{
  return {r.database_oid, r.relation_oid, r.tablespace_oid, r.relfilenode};
}

} // namespace

BackupRelationLookup relation_from_base_backups(catalog::Database& db, std::int64_t cluster_id,
                                                const std::string& database,
                                                const std::string& schema, const std::string& table,
                                                const std::optional<std::string>& stopped_by,
                                                const VerifyConfig& config,
                                                const std::string& config_path, int max_restores)
{
  BackupRelationLookup out;
  // Read them all first: restoring copies the catalog, which an open statement would block.
  std::vector<catalog::BaseBackupRow> rows;
  {
    catalog::BaseBackupCandidates candidates(db, cluster_id, std::nullopt, stopped_by,
                                             std::nullopt);
    while (auto row = candidates.next())
      if (rows.size() < 50) rows.push_back(std::move(*row));
  }
  const std::string name = schema + "." + table;
  for (const auto& candidate : rows) {
    const auto* row = &candidate;
    auto known = catalog::cached_backup_relation(db, row->id, database, schema, table);
    if (!known) {
      if (out.restored >= max_restores) {
        out.notes.push_back("base backup " + row->backup_id + " not restored to look for " + name +
                            " (at most " + std::to_string(max_restores) + " per search)");
        break;
      }
      auto backup = catalog::find_backup(db, row->backup_id);
      auto url = catalog::repository_url(db, row->repository_id);
      if (!backup || !url) continue;
      auto storage = storage::open_storage(*url);
      catalog::BackupRelation found;
      verifier::PhysicalRestoreRequest request;
      request.config_path = config_path;
      request.data_checks = false;
      bool inspected = false;
      request.inspect = [&](pg::ScratchCluster& cluster) {
        inspected = true;
        try {
          if (auto r = pg::lookup_relation(cluster.conninfo(database), database, schema, table)) {
            found = {true, r->database_oid, r->oid, r->tablespace_oid, r->relfilenode};
          }
        } catch (const DatabaseError&) {
          // No such database in that backup: the table is not there either.
        }
      };
      ++out.restored;
      auto result = verifier::restore_base_backup_and_check(
          db, *storage, *backup, catalog::backup_objects(db, backup->id), request, config);
      if (!inspected) {
        std::string why = "it could not be restored";
        for (const auto& f : result.findings.items())
          if (f.severity != verifier::Severity::Warning) {
            why = f.message;
            break;
          }
        out.notes.push_back("base backup " + row->backup_id + " could not be read: " + why);
        continue;
      }
      catalog::store_backup_relation(db, row->id, database, schema, table, found);
      known = found;
    }
    if (known->found) {
      out.identity = identity_of(*known);
      out.backup_id = row->backup_id;
      out.backup_start_lsn = static_cast<std::uint64_t>(row->start_lsn);
      return out;
    }
    out.notes.push_back("base backup " + row->backup_id + " has no table " + name + " in " +
                        database);
  }
  return out;
}

} // namespace lastgood::restore
