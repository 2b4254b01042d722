#pragma once
// The restore drill (`lastgood drill`): proves end to end that the newest
// backup of a database would restore. Steps, each timed: select the newest
// backup → checksum → test restore into a scratch database → data checks
// (user checks, amcheck, drift, and rows in the configured [drill] tables) →
// the [[drill.command]]s → the [[drill.redis]] checks. The checksum and the
// test restore are verification runs (trigger 'drill'); the drill itself is a
// drill_runs row (migration 0006).

#include "catalog/database.hpp"
#include "common/config.hpp"

#include <cstdint>
#include <functional>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

namespace lastgood::restore {

struct DrillRequest
{
  std::string database;            // empty: [drill] database, else the only one cataloged
  std::string source;              // the server its dumps come from; empty: the only one holding it
  std::vector<std::string> checks; // only these [[verify.check]] names (empty: all)
  std::string scratch;             // "auto" or a connection string; empty: verify.scratch
  std::string scratch_flag;        // the flag that gave scratch, for hints
  unsigned jobs = 1;
};

struct DrillStep
{
  std::string name;    // select | checksum | test restore | data checks | command NAME
  std::string outcome; // pass | fail | error | skipped
  double seconds = 0;
  std::string detail;  // one line: what was found or done
  nlohmann::json data; // run ids, findings, row counts, command output
};

struct DrillResult
{
  std::int64_t drill_id = 0;
  std::string database;
  std::string source; // as given, else the only source holding the database's dumps
  std::optional<std::string> backup_id;
  std::vector<DrillStep> steps;
  double seconds = 0;
  std::string outcome; // pass | fail | error
  int exit_code = 0;   // 0 every step passed, 3 a step failed, 1 a step could not run
};

// Throws UsageError when the database (or, dumped from several sources, its
// source) or a --check name cannot be resolved;
// every other problem is a step's outcome. on_step is called as each step ends.
DrillResult run_drill(catalog::Database& db, const Config& config, const DrillRequest& request,
                      const std::function<void(const DrillStep&)>& on_step = {});

nlohmann::json to_json(const DrillStep& step);
nlohmann::json to_json(const DrillResult& result);

} // namespace lastgood::restore
