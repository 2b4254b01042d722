#pragma once
// The stages of a scheduled run, each filling in its Stage (run_stage times
// them and turns an escaping exception into an error outcome).

#include "catalog/database.hpp"
#include "catalog/repositories.hpp"
#include "common/config.hpp"
#include "schedule/scheduled_run.hpp"

#include <vector>

namespace lastgood::schedule {

void scan_stage(Stage& stage, catalog::Database& db, const Config& config,
                const std::vector<catalog::Repository>& repositories, unsigned jobs);
void verify_stage(Stage& stage, catalog::Database& db, const Config& config,
                  const RunRequest& request);
void metrics_stage(Stage& stage, catalog::Database& db, const Config& config,
                   const std::string& path);
void report_stage(Stage& stage, catalog::Database& db, const Config& config,
                  const RunRequest& request);
// Announces, in one message, every stage before it that was not ok ([notify]
// webhook), and every event to the [[notify.*]] channels (below).
void notify_stage(Stage& stage, catalog::Database& db, const Config& config,
                  const std::vector<Stage>& before);
bool has_notify_channels(const Config& config);
// Scope verdicts and stage errors to [[notify.email]], [[notify.slack]], [[notify.teams]].
void announce_to_channels(Stage& stage, catalog::Database& db, const Config& config,
                          const std::vector<Stage>& before);

} // namespace lastgood::schedule
