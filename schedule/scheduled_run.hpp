#pragma once
// `lastgood run`, what a scheduler (systemd timer, CronJob) calls: scan every
// repository, verify what is due, write the metrics, write the report, notify.
// Every stage runs whatever the stages before it found or failed at (a junk
// file found by scan must not keep the backups from being verified or the
// metrics from being written); the run's outcome is the worst stage's.

#include "catalog/database.hpp"
#include "common/config.hpp"
#include "schedule/stage.hpp"

#include <chrono>
#include <functional>
#include <string>
#include <vector>

namespace lastgood::schedule {

struct RunRequest
{
  std::chrono::seconds budget{0}; // verify starts no new work after this long; 0 = no limit
  unsigned jobs = 0;              // scan readers and verify jobs; 0 = all cores
  unsigned verifiers = 1;         // backups verified at once, each under its own lease
  std::string metrics_path;       // empty: no metrics stage
  std::string report_path;        // empty: no report stage
  std::string report_format = "text";
  std::string scratch;     // empty: [verify] scratch
  std::string config_path; // handed to wal-fetch by test restores of base backups
};

struct RunResult
{
  std::vector<Stage> stages;
  StageOutcome outcome = StageOutcome::Ok; // the worst stage's
  double seconds = 0;
  int exit_code() const { return exit_code_of(outcome); }
};

// Throws UsageError (before any stage ran) for a bad request or when no
// repository is registered or configured; everything after that is a stage's
// outcome. on_stage is called as each stage ends.
RunResult run_scheduled(catalog::Database& db, const Config& config, const RunRequest& request,
                        const std::function<void(const Stage&)>& on_stage = {});

nlohmann::json to_json(const RunResult& result);

} // namespace lastgood::schedule
