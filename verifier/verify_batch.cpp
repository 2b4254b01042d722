#include "verifier/verify_batch.hpp"

#include "common/error.hpp"
#include "verifier/fair_order.hpp"

#include <thread>

namespace lastgood::verifier {

std::vector<PlannedVerification> plan_due(catalog::Database& db, const VerifyConfig& config,
                                          const Slice& slice)
{
  std::vector<PlannedVerification> restores, others;
  for (const auto& w : due_work(db, config, slice))
    if (auto b = catalog::find_backup(db, w.backup_id))
      (w.level == Level::Restore ? restores : others).push_back({*b, w.level, w.reason});
  // Test restores first, as due_work orders them; within each, one source at a time in turn.
  auto key = [](const PlannedVerification& p) { return source_server_key(p.backup); };
  auto out = round_robin_by_source(std::move(restores), key);
  for (auto& w : round_robin_by_source(std::move(others), key))
    out.push_back(std::move(w));
  return out;
}

int BatchResult::exit_code() const
{
  return !failed.empty() ? kExitProblem : errors > 0 ? kExitFailed : kExitOk;
}

void record_report(BatchResult& result, VerifyReport report, const PlannedVerification& work,
                   const BatchOptions& options)
{
  if (!work.reason.empty()) report.notes.insert(report.notes.begin(), "due: " + work.reason);
  if (report.outcome == "fail") result.failed.push_back(report.backup_id);
  if (report.outcome == "error") ++result.errors;
  if (options.on_report) options.on_report(report);
  result.reports.push_back(std::move(report));
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
  auto spent = [&] {
    return options.budget.count() > 0 &&
           std::chrono::steady_clock::now() - started > options.budget;
  };
  auto record = [&](VerifyReport report, const PlannedVerification& w) {
    record_report(result, std::move(report), w, options);
  };
  // Restores refused by the per-source cap wait for a slot (another process's
  // restore of that source ends, or its lease expires) after the rest is done.
  std::vector<const PlannedVerification*> capped;
  for (const auto& w : work) {
    if (spent()) {
      ++result.left_for_later;
      continue;
    }
    auto report = verifier.verify(w.backup, w.level, options.trigger);
    if (report.capped)
      capped.push_back(&w);
    else
      record(std::move(report), w);
  }
  while (!capped.empty()) {
    if (spent()) {
      result.left_for_later += capped.size();
      break;
    }
    std::this_thread::sleep_for(options.capped_retry_wait);
    std::vector<const PlannedVerification*> still;
    for (const auto* w : capped) {
      auto report = verifier.verify(w->backup, w->level, options.trigger);
      if (report.capped) {
        still.push_back(w);
        continue;
      }
      report.notes.push_back("waited for a test-restore slot of " + source_server_key(w->backup) +
                             " (verify.max_concurrent_per_source)");
      record(std::move(report), *w);
    }
    capped = std::move(still);
  }
  return result;
}

} // namespace lastgood::verifier
