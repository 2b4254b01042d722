#pragma once
// One stage of a scheduled run (scan, verify, metrics, report, notify): what
// it concluded, how long it took, one line for people and its own document
// for machines. Outcomes map to the exit codes of the command-line contract.

#include <functional>
#include <nlohmann/json.hpp>
#include <string>
#include <string_view>
#include <vector>

namespace lastgood::schedule {

// ok: did its job, found nothing wrong. skipped: not asked for (no --metrics,
// no webhook). problem: did its job and found something wrong (exit 3).
// error: could not do its job (exit 1).
enum class StageOutcome { Ok, Skipped, Problem, Error };

std::string_view to_string(StageOutcome outcome);
int exit_code_of(StageOutcome outcome);
// The worse of two: problem > error > ok, skipped. As in `verify` and `drill`,
// evidence that something is wrong outranks not having been able to look.
StageOutcome worse(StageOutcome a, StageOutcome b);

struct Stage
{
  std::string name;
  StageOutcome outcome = StageOutcome::Ok;
  double seconds = 0;
  std::string summary;                            // one line: what was done and found
  std::vector<std::string> details;               // what to look at: problems, failed runs, errors
  nlohmann::json data = nlohmann::json::object(); // the stage's own document
};

nlohmann::json to_json(const Stage& stage);

// Runs body on a stage named name, timing it. An exception that escapes body
// makes the stage an error with its (redacted) message: it never stops the
// stages after it.
Stage run_stage(const std::string& name, const std::function<void(Stage&)>& body);

} // namespace lastgood::schedule
