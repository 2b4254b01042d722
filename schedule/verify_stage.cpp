// The verify stage: what `verify --due` would do, with the same planning and
// batch (dumps and base backups alike), recorded with trigger 'due'.

#include "catalog/verification_runs.hpp"
#include "common/cipher_pass.hpp"
#include "common/redact.hpp"
#include "common/time.hpp"
#include "schedule/stages.hpp"
#include "verifier/parallel_batch.hpp"
#include "verifier/verify_batch.hpp"

#include <algorithm>
#include <cstdio>
#include <thread>

namespace lastgood::schedule {

namespace {

std::string describe(const verifier::VerifyReport& r)
{
  char seconds[32];
  std::snprintf(seconds, sizeof seconds, "%.1f s", r.seconds);
  std::string line = r.backup_id + " " + std::string(verifier::to_string(r.level)) + " " +
                     r.outcome + " " + seconds;
  if (r.run_id) line += " (run " + std::to_string(r.run_id) + ")";
  for (const auto& f : r.findings)
    if (f.severity != verifier::Severity::Warning) {
      line += ": " + f.kind + " " + redact(f.message);
      break; // the first is enough here; `history` has them all
    }
  return line;
}

} // namespace

void verify_stage(Stage& stage, catalog::Database& db, const Config& config,
                  const RunRequest& request)
{
  // Taken before planning: work another verifier finishes after this point is skipped.
  const auto watermark = catalog::verification_watermark(db);
  const std::string planned_at = format_rfc3339(now_seconds());
  const auto work = verifier::plan_due(db, config.verify, verifier::Slice{});
  const unsigned jobs =
      request.jobs ? request.jobs : std::max(1u, std::thread::hardware_concurrency());
  auto make = [&](catalog::Database& own) {
    auto verifier =
        std::make_unique<verifier::Verifier>(own, config.verify, request.scratch, jobs, watermark);
    verifier->set_config_path(request.config_path);
    verifier->set_cipher_pass(cipher_pass_lookup(config));
    verifier->set_planned_at(planned_at);
    return verifier;
  };
  verifier::BatchOptions options;
  options.budget = request.budget;
  options.trigger = "due";
  const auto result = verifier::verify_in_parallel(db, make, request.verifiers, work, options);

  std::size_t passed = 0, skipped = 0;
  nlohmann::json runs = nlohmann::json::array();
  for (const auto& r : result.reports) {
    passed += r.outcome == "pass";
    skipped += r.outcome == "skipped";
    if (r.outcome == "fail" || r.outcome == "error") stage.details.push_back(describe(r));
    runs.push_back(verifier::to_json(r));
  }
  for (const auto& c : result.cleaned_up)
    stage.details.push_back("cleaned up after an earlier crash: " + c);
  stage.data = {
      {"runs", runs}, {"left_for_later", result.left_for_later}, {"cleaned_up", result.cleaned_up}};
  stage.outcome = !result.failed.empty() ? StageOutcome::Problem
                  : result.errors        ? StageOutcome::Error
                                         : StageOutcome::Ok;
  if (work.empty()) {
    stage.summary = "nothing is due";
    return;
  }
  stage.summary = std::to_string(result.reports.size()) + " verified: " + std::to_string(passed) +
                  " passed, " + std::to_string(result.failed.size()) + " failed, " +
                  std::to_string(result.errors) + " could not be verified, " +
                  std::to_string(skipped) + " skipped";
  if (result.left_for_later)
    stage.summary +=
        "; " + std::to_string(result.left_for_later) + " left for a later run (budget reached)";
}

} // namespace lastgood::schedule
