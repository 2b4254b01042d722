#include "verifier/verify_batch.hpp"

#include "common/error.hpp"

namespace lastgood::verifier {

std::vector<PlannedVerification> plan_due(catalog::Database& db, const VerifyConfig& config,
                                          const Slice& slice)
{
  std::vector<PlannedVerification> out;
  for (const auto& w : due_work(db, config, slice))
    if (auto b = catalog::find_backup(db, w.backup_id)) out.push_back({*b, w.level, w.reason});
  return out;
}

int BatchResult::exit_code() const
{
  return !failed.empty() ? kExitProblem : errors > 0 ? kExitFailed : kExitOk;
}

BatchResult verify_batch(Verifier& verifier, const std::vector<PlannedVerification>& work,
                         const BatchOptions& options)
{
  BatchResult result;
  bool any_restore = false;
  for (const auto& w : work)
    any_restore = any_restore || w.level == Level::Restore;
  result.cleaned_up = any_restore ? verifier.clean_up_after_crashes() : verifier.sweep_leftovers();
  const auto started = std::chrono::steady_clock::now();
  for (const auto& w : work) {
    if (options.budget.count() > 0 && std::chrono::steady_clock::now() - started > options.budget) {
      ++result.left_for_later;
      continue;
    }
    auto report = verifier.verify(w.backup, w.level, options.trigger);
    if (!w.reason.empty()) report.notes.insert(report.notes.begin(), "due: " + w.reason);
    if (report.outcome == "fail") result.failed.push_back(report.backup_id);
    if (report.outcome == "error") ++result.errors;
    if (options.on_report) options.on_report(report);
    result.reports.push_back(std::move(report));
  }
  return result;
}

} // namespace lastgood::verifier
