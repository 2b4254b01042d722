#pragma once
// The batch a verify run works through, shared by `verify` and `run`: the
// work planned (what is due, or backups named), done in order until the time
// budget is spent, after cleaning up what crashed runs left behind.

#include "catalog/backup_queries.hpp"
#include "catalog/database.hpp"
#include "common/config.hpp"
#include "verifier/due_policy.hpp"
#include "verifier/verifier.hpp"

#include <chrono>
#include <cstddef>
#include <functional>
#include <string>
#include <vector>

namespace lastgood::verifier {

struct PlannedVerification
{
  catalog::BackupRow backup;
  Level level = Level::Restore;
  std::string reason; // why it is due; empty for backups named by the user
};

// What `verify --due` does: due_work, each with its backup's row; test restores
// first, each level round-robin across source servers (verifier/fair_order.hpp).
std::vector<PlannedVerification> plan_due(catalog::Database& db, const VerifyConfig& config,
                                          const Slice& slice);

struct BatchOptions
{
  std::chrono::seconds budget{0}; // start no new work after this long; 0 = no limit
  std::string trigger = "manual"; // recorded with each run: manual | due
  std::function<void(const VerifyReport&)> on_report; // called as each verification ends
  // How long a restore refused by verify.max_concurrent_per_source waits before asking again.
  std::chrono::milliseconds capped_retry_wait{500};
};

struct BatchResult
{
  std::vector<VerifyReport> reports;
  std::vector<std::string> cleaned_up; // what crashed runs left and was removed
  std::size_t left_for_later = 0;      // not started: the budget was spent
  std::vector<std::string> failed;     // IDs of backups whose run failed (now bad)
  std::size_t errors = 0;              // runs that could not tell
  // 3 when a backup failed, else 1 when one could not be verified, else 0.
  int exit_code() const;
};

// Adds one ended verification to `result` (its due reason as the first note,
// failed and error counts) and passes it to options.on_report.
void record_report(BatchResult& result, VerifyReport report, const PlannedVerification& work,
                   const BatchOptions& options);

// Throws only when the work cannot start (the scratch server refuses the
// clean-up); a backup that cannot be verified is a run with outcome error.
BatchResult verify_batch(Verifier& verifier, const std::vector<PlannedVerification>& work,
                         const BatchOptions& options);

} // namespace lastgood::verifier
