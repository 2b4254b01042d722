#include "restore/relation_from_backup.hpp"

#include "catalog/base_backup_candidates.hpp"
#include "catalog/base_backup_relations.hpp"
#include "common/error.hpp"
#include "pg/scratch_cluster.hpp"
#include "restore/base_backup_inspect.hpp"

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
      catalog::BackupRelation found;
      ++out.restored;
      auto failure = inspect_base_backup(
          db, *row, std::nullopt,
          [&](pg::ScratchCluster& cluster) {
            try {
              const auto conninfo = cluster.conninfo(database);
              if (auto r = pg::lookup_relation(conninfo, database, schema, table))
                found = {true, r->database_oid, r->oid, r->tablespace_oid, r->relfilenode};
              else
                found.database_oid = pg::current_database_oid(conninfo);
            } catch (const DatabaseError&) {
              // No such database in that backup: the table is not there either.
            }
          },
          config, config_path);
      if (failure) {
        out.notes.push_back("base backup " + row->backup_id + " could not be read: " + *failure);
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
    if (!out.lacking) {
      out.lacking = *row;
      if (known->database_oid) out.lacking_database_oid = known->database_oid;
    }
  }
  return out;
}

} // namespace lastgood::restore
