#pragma once
// A table's identity from the cluster's own catalog as a base backup had it:
// the backup is test-restored into a private scratch cluster (the verifier's
// restore level, recovery to consistency, no data checks), pg_class read
// there, the answer kept in the catalog. For names no live server knows any
// more (a dropped table).

#include "catalog/base_backup_candidates.hpp"
#include "catalog/database.hpp"
#include "common/config.hpp"
#include "pg/relation_identity.hpp"

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace lastgood::restore {

struct BackupRelationLookup
{
  std::optional<pg::RelationIdentity> identity;
  std::string backup_id;              // the base backup that knew it
  std::uint64_t backup_start_lsn = 0; // WAL from here on follows the table's files
  int restored = 0;                   // backups restored for this lookup (0: catalog cache)
  std::vector<std::string> notes;     // backups tried and why they did not help
  // The newest backup read that has no such table: one created after it is
  // looked for in that backup recovered further (relations_before_lsn.hpp).
  std::optional<catalog::BaseBackupRow> lacking;
  std::optional<std::uint32_t> lacking_database_oid; // the database's OID there, when known
};

// Tries the newest base backups of the cluster that stopped at or before
// `stopped_by` (RFC 3339; all when nullopt), newest first, restoring at most
// `max_restores` of them.
BackupRelationLookup relation_from_base_backups(catalog::Database& db, std::int64_t cluster_id,
                                                const std::string& database,
                                                const std::string& schema, const std::string& table,
                                                const std::optional<std::string>& stopped_by,
                                                const VerifyConfig& config,
                                                const std::string& config_path, int max_restores);

} // namespace lastgood::restore
