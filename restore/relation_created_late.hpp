#pragma once
// A table created after the newest base backup before the search window: its
// name is not in that backup's pg_class, but its relation files appear in the
// WAL after it. For the events in the window that touch such files, the backup
// is recovered to just before the event's first record (recovery_target_lsn,
// exclusive) and pg_class read there - once per distinct set of unknown files,
// each answer kept in the catalog (catalog/relations_before_lsn.hpp).

#include "catalog/base_backup_candidates.hpp"
#include "catalog/database.hpp"
#include "common/config.hpp"
#include "pg/relation_identity.hpp"
#include "pg/wal_activity.hpp"

#include <cstdint>
#include <optional>
#include <set>
#include <string>
#include <vector>

namespace lastgood::restore {

// A committed transaction in the window touching or dropping relation files
// that a transaction committed before it created after the backup.
struct EventWithUnknownFiles
{
  std::uint32_t xid = 0;
  std::uint64_t first_lsn = 0;
  std::set<pg::RelFile> files;
};

struct LateRelationLookup
{
  std::optional<pg::RelationIdentity> identity;
  std::uint64_t seen_before_lsn = 0; // the point whose pg_class named it
  int recovered = 0;                 // recoveries run for this lookup (0: catalog)
  std::vector<std::string> notes;    // what could not be resolved, and why
};

LateRelationLookup relation_created_after_backup(
    catalog::Database& db, const catalog::BaseBackupRow& backup, const std::string& database,
    const std::string& schema, const std::string& table, std::vector<EventWithUnknownFiles> events,
    const VerifyConfig& config, const std::string& config_path, int max_recoveries);

} // namespace lastgood::restore
