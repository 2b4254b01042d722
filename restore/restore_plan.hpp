#pragma once
// What a logical restore will do, decided before anything is touched: which
// backup and why, the final and temporary database names, the pg_restore or
// psql options, the checks. `restore --dry-run` prints exactly this.

#include "catalog/backup_queries.hpp"
#include "catalog/verification_runs.hpp"

#include <cstdint>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

namespace lastgood::restore {

struct LogicalRestoreOptions
{
  std::string to;                  // libpq connection string of the target server
  std::string to_flag = "--to";    // the flag that gave it (--to or --dbname), for hints
  std::optional<std::string> as;   // final database name; default: the backup's database
  std::vector<std::string> tables; // SCHEMA.TABLE
  std::optional<std::string> schema;
  bool schema_only = false;
  bool data_only = false;
  unsigned jobs = 1;
  // An existing target database is swapped out (renamed aside, kept) instead
  // of refusing; after a safety snapshot unless safety_snapshot is false.
  bool drop_existing = false;
  bool safety_snapshot = true;
  bool terminate_connections = false; // else connected sessions refuse the swap
};

struct RestorePlan
{
  catalog::BackupRow backup;
  std::string why; // why this backup: "given by ID" or the pick's reasoning
  std::optional<catalog::RunRecord> evidence; // the newest restore-level verdict, if any
  LogicalRestoreOptions options;
  std::string target; // redacted
  std::string target_database;
  std::string tool;                      // pg_restore | psql
  std::vector<std::string> tool_options; // without the connection and the path
  bool selective = false;                // a part of the backup: user checks and drift skipped
  std::vector<std::string> steps;
  std::vector<std::string> notes;
};

// Validates the options against the backup (throws UsageError naming the
// flag) and builds the plan. Touches no server.
RestorePlan plan_logical_restore(catalog::Database& db, const catalog::BackupRow& backup,
                                 LogicalRestoreOptions options, std::string why);

// The options as stored in restore_runs.options (no connection string).
nlohmann::json options_json(const LogicalRestoreOptions& options);
nlohmann::json to_json(const RestorePlan& plan);

} // namespace lastgood::restore
