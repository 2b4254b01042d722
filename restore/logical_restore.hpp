#pragma once
// The safe logical restore: into a temporary database <name>__lastgood_<run>
// on the target server, checked like a test restore (row counts, amcheck, user
// checks, drift), and renamed to its final name only when all of that passed
// (with --drop-existing: swapped in, see database_swap.hpp). Anything failing
// before the rename drops the temporary database and touches nothing else.
// Interrupted earlier runs against the same server are cleaned up first. Every restore is a
// restore_runs row with audit rows (restore.started before anything happens on the server,
// restore.finished).

#include "catalog/database.hpp"
#include "catalog/verification_runs.hpp"
#include "common/config.hpp"
#include "restore/restore_plan.hpp"
#include "verifier/finding.hpp"

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace lastgood::restore {

struct LogicalRestoreResult
{
  std::int64_t run_id = 0;
  std::string outcome; // pass | fail | error
  int exit_code = 0;   // 0 restored; 1 did not happen; 2 refused (target exists, sessions)
  std::string message; // what happened, or why not and what to do
  std::string temporary_database;
  std::vector<verifier::Finding> findings;
  std::vector<catalog::RowCountRecord> row_counts;
  double seconds = 0;
  // --drop-existing: what the swap did (aside_database empty when nothing existed).
  std::string aside_database;
  std::optional<std::string> safety_snapshot; // backup ID
  std::size_t terminated_sessions = 0;
  std::vector<std::string> cleaned_up; // interrupted earlier runs closed first
  std::vector<std::string> notes;      // how the dump was read (a local copy for parallel restore)
};

using ProgressFn = std::function<void(std::string_view step)>;

// Runs the plan. Problems with the backup, the target or the checks are a
// result (outcome fail/error), never an exception; throws only when the catalog
// itself fails.
LogicalRestoreResult run_logical_restore(catalog::Database& db, const RestorePlan& plan,
                                         const VerifyConfig& config,
                                         const ProgressFn& progress = {});

nlohmann::json to_json(const LogicalRestoreResult& result);

} // namespace lastgood::restore
