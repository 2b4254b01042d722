#include "schedule/stage.hpp"

#include "common/error.hpp"
#include "common/redact.hpp"

#include <chrono>

namespace lastgood::schedule {

std::string_view to_string(StageOutcome outcome)
{
  switch (outcome) {
  case StageOutcome::Ok:
    return "ok";
  case StageOutcome::Skipped:
    return "skipped";
  case StageOutcome::Problem:
    return "problem";
  case StageOutcome::Error:
    return "error";
  }
  return "error";
}

int exit_code_of(StageOutcome outcome)
{
  switch (outcome) {
  case StageOutcome::Problem:
    return kExitProblem;
  case StageOutcome::Error:
    return kExitFailed;
  default:
    return kExitOk;
  }
}

StageOutcome worse(StageOutcome a, StageOutcome b)
{
  auto rank = [](StageOutcome o) {
    return o == StageOutcome::Problem ? 2 : o == StageOutcome::Error ? 1 : 0;
  };
  if (rank(a) != rank(b)) return rank(a) > rank(b) ? a : b;
  return a == StageOutcome::Skipped ? b : a; // ok over skipped
}

nlohmann::json to_json(const Stage& stage)
{
  return {{"name", stage.name},       {"outcome", to_string(stage.outcome)},
          {"seconds", stage.seconds}, {"summary", stage.summary},
          {"details", stage.details}, {"data", stage.data}};
}

Stage run_stage(const std::string& name, const std::function<void(Stage&)>& body)
{
  Stage stage;
  stage.name = name;
  const auto started = std::chrono::steady_clock::now();
  try {
    body(stage);
  } catch (const std::exception& e) {
    stage.outcome = StageOutcome::Error;
    stage.summary = "could not run: " + redact(e.what());
  }
  stage.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
  return stage;
}

} // namespace lastgood::schedule
