#pragma once
// Physical restore / PITR into a data directory: the planner chooses the base
// backup and the WAL (restore/pitr_plan.hpp); the backup is extracted,
// checked against its manifest and the catalog, into an empty DIR; recovery
// settings point restore_command at `lastgood wal-fetch`; with `start` the
// server is started on a free port and the reached point reported. Every run
// is recorded (physical_restore_runs) with audit rows restore.started/finished.

#include "catalog/database.hpp"
#include "common/cipher_pass.hpp"
#include "restore/pitr_plan.hpp"

#include <nlohmann/json.hpp>
#include <optional>
#include <string>

namespace lastgood::restore {

struct PhysicalRestoreOptions
{
  std::string pgdata;                     // made absolute by the caller
  PlanRequest plan;                       // target, cluster, timeline, backup
  std::optional<std::string> target_time; // the user's text, for recovery_target_time
  std::string target_action = "pause";    // pause | promote | shutdown (with a target)
  bool start = false;
  std::string run_as;                    // server's OS user when root (default postgres)
  std::string catalog_path, config_path; // for wal-fetch
  CipherPassLookup cipher_pass;          // encrypted pgBackRest repositories' passphrases
};

struct PhysicalRestoreResult
{
  PitrPlan plan;
  std::int64_t run_id = 0;
  std::string outcome; // pass | fail | error | unreachable | refused
  std::string message;
  nlohmann::json recovery_point; // with start
  std::string restore_command;
  int exit_code = 0;
};

// The plan and the checks that need no writing (DIR empty); nothing changes.
PhysicalRestoreResult dry_run_physical_restore(catalog::Database& db,
                                               const PhysicalRestoreOptions& options);

PhysicalRestoreResult run_physical_restore(catalog::Database& db,
                                           const PhysicalRestoreOptions& options);

nlohmann::json to_json(const PhysicalRestoreResult& result);

} // namespace lastgood::restore
