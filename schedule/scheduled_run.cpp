#include "schedule/scheduled_run.hpp"

#include "common/error.hpp"
#include "compliance/publish.hpp"
#include "schedule/stages.hpp"

namespace lastgood::schedule {

RunResult run_scheduled(catalog::Database& db, const Config& config, const RunRequest& request,
                        const std::function<void(const Stage&)>& on_stage)
{
  if (!request.report_path.empty() && !compliance::is_report_format(request.report_format))
    throw UsageError("unknown report format '" + request.report_format +
                     "': use text, json, markdown or html");
  // Chosen before any stage: with nothing to scan the run is misconfigured (exit 2).
  const auto repositories =
      catalog::repositories_to_scan(db, [&config] { return config.repositories; }, {});

  RunResult result;
  const auto started = std::chrono::steady_clock::now();
  auto add = [&](Stage stage) {
    result.outcome = worse(result.outcome, stage.outcome);
    if (on_stage) on_stage(stage);
    result.stages.push_back(std::move(stage));
  };
  add(run_stage("scan", [&](Stage& s) { scan_stage(s, db, config, repositories, request.jobs); }));
  add(run_stage("verify", [&](Stage& s) { verify_stage(s, db, config, request); }));
  add(run_stage("metrics", [&](Stage& s) { metrics_stage(s, db, config, request.metrics_path); }));
  add(run_stage("report", [&](Stage& s) { report_stage(s, db, config, request); }));
  const auto before = result.stages;
  add(run_stage("notify", [&](Stage& s) { notify_stage(s, db, config, before); }));
  result.seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
  return result;
}

nlohmann::json to_json(const RunResult& result)
{
  nlohmann::json stages = nlohmann::json::array();
  for (const auto& s : result.stages)
    stages.push_back(to_json(s));
  return {{"stages", stages},
          {"outcome", to_string(result.outcome)},
          {"exit_code", result.exit_code()},
          {"seconds", result.seconds}};
}

} // namespace lastgood::schedule
