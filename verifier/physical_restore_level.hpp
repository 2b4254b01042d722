#pragma once
// The restore level for base backups: extract the backup into a private
// scratch cluster's data directory (checked against backup_manifest and the
// catalog), recover it - to consistency ('immediate'), or for a PITR drill to
// a target time with WAL from the archive through `lastgood wal-fetch` - start
// it as the unprivileged user on a private socket, run the data checks on
// every database, then stop it and remove everything.

#include "catalog/backup_queries.hpp"
#include "catalog/database.hpp"
#include "catalog/verification_runs.hpp"
#include "common/config.hpp"
#include "storage/storage.hpp"
#include "verifier/finding.hpp"
#include "verifier/pgdata_extract.hpp"

#include <functional>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

namespace lastgood::pg {
class ScratchCluster;
}

namespace lastgood::verifier {

struct PhysicalRestoreRequest
{
  std::optional<std::string> target_time; // PITR drill; nullopt: recovery_target = 'immediate'
  // Or a WAL position ("X/Y"): wal search reads pg_class just before a
  // record, a fingerprint drill recovers to a source fingerprint's exact LSN
  // (verifier/fingerprint_drill.hpp); both with target_inclusive = false.
  std::optional<std::string> target_lsn;
  bool target_inclusive = true;
  unsigned jobs = 1;
  std::string config_path; // passed on to wal-fetch when set
  // Writes another tool's backup (pgBackRest's, Barman's layout) into the
  // data directory instead of extract_base_backup, with the same contract;
  // empty: extract the cataloged objects.
  std::function<ExtractResult(const ExtractOptions&)> materialise;
  // Set: called with the recovered, promoted cluster (its superuser found)
  // before the data checks; wal search reads pg_class there. Its exceptions
  // propagate.
  std::function<void(pg::ScratchCluster&)> inspect{};
  bool data_checks = true; // false: only recover (and inspect)
  // For wal-fetch (the restored server's restore_command), in the server's
  // environment only: e.g. LASTGOOD_CIPHER_PASS_<NAME> of an encrypted
  // pgBackRest repository, whose cipher_pass_file the server's user may not read.
  std::vector<std::pair<std::string, std::string>> server_environment;
};

struct PhysicalRestoreResult
{
  Findings findings;
  // schema_name is "<database>.<schema>": a base backup holds every database.
  std::vector<catalog::RowCountRecord> row_counts;
  // Where recovery stopped: redo_done, stop (PostgreSQL's "recovery stopping
  // ..." line), consistent_at, last_transaction_time, new_timeline.
  nlohmann::json recovery_point;
};

// db: the catalog (wal-fetch of the started server reads it, or a copy of it
// in the scratch directory when the server runs as another user).
PhysicalRestoreResult
restore_base_backup_and_check(catalog::Database& db, storage::Storage& storage,
                              const catalog::BackupRow& backup,
                              const std::vector<catalog::BackupObjectRow>& objects,
                              const PhysicalRestoreRequest& request, const VerifyConfig& config);

// Facts about recovery read from a server log (pg-formats.md §4).
nlohmann::json recovery_point_from_log(const std::string& log);

} // namespace lastgood::verifier
