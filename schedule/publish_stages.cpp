// The metrics and report stages: rendered by compliance/ (the same code as
// `lastgood metrics` and `lastgood report`), written atomically.

#include "common/atomic_file.hpp"
#include "common/time.hpp"
#include "compliance/publish.hpp"
#include "compliance/report_facts.hpp"
#include "compliance/report_render.hpp"
#include "schedule/stages.hpp"

namespace lastgood::schedule {

namespace {

// Like `report`: deletions and events over the 30 days before now.
constexpr std::chrono::hours kReportPeriod{24 * 30};

} // namespace

void metrics_stage(Stage& stage, catalog::Database& db, const Config& config,
                   const std::string& path)
{
  if (path.empty()) {
    stage.outcome = StageOutcome::Skipped;
    stage.summary = "not written (no --metrics FILE)";
    return;
  }
  const auto text = compliance::render_current_metrics(db, config, now_seconds());
  write_file_atomically(path, text);
  stage.summary = "written to " + path + " (" + std::to_string(text.size()) + " bytes)";
  stage.data = {{"path", path}, {"bytes", text.size()}};
}

void report_stage(Stage& stage, catalog::Database& db, const Config& config,
                  const RunRequest& request)
{
  // Judged whether or not it is written: the run's exit code follows the verdict.
  const auto now = now_seconds();
  const auto facts = compliance::gather_facts(db, now, now - kReportPeriod);
  const auto judged = compliance::judge(facts, config);
  const bool failing = judged.overall == compliance::Verdict::Fail;
  stage.outcome = failing ? StageOutcome::Problem : StageOutcome::Ok;
  stage.summary = "overall " + compliance::to_string(judged.overall);
  if (request.report_path.empty()) {
    stage.summary += " (not written: no --report FILE)";
  } else {
    write_file_atomically(request.report_path,
                          compliance::render_report(judged, request.report_format));
    stage.summary += ", written to " + request.report_path + " (" + request.report_format + ")";
  }
  if (failing) stage.summary += ": FAIL for " + compliance::failing_scopes(judged);
  for (const auto& scope : judged.scopes)
    for (const auto& item : scope.items)
      if (item.verdict == compliance::Verdict::Fail)
        stage.details.push_back(compliance::scope_title(*scope.scope) + ": " + item.name +
                                " FAIL: " + item.summary);
  stage.data = {{"path", request.report_path.empty() ? nlohmann::json()
                                                     : nlohmann::json(request.report_path)},
                {"format", request.report_format},
                {"overall", compliance::to_string(judged.overall)}};
}

} // namespace lastgood::schedule
