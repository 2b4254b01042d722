#pragma once
// `lastgood run --loop`: the run again and again, for a worker that stays up
// (a Kubernetes Deployment, a container) instead of a timer that starts it.

#include "schedule/scheduled_run.hpp"

#include <chrono>
#include <functional>

namespace lastgood::schedule {

struct LoopRequest
{
  RunRequest run;
  // Start to start; a run that takes longer is followed by the next at once.
  std::chrono::seconds every{3600};
};

struct LoopCallbacks
{
  std::function<void(const Stage&)> on_stage;
  std::function<void(const RunResult&)> on_run;
  // Called before each wait with the time the next run starts.
  std::function<void(std::chrono::system_clock::time_point)> on_wait;
};

// Runs until SIGTERM, SIGINT or SIGHUP arrives while it waits, then returns
// 0: a stop that was asked for. A signal during a run ends the process as
// it would end a plain `run` (everything a run does converges on the next
// one; its children die with it). Throws what run_scheduled throws.
int run_loop(catalog::Database& db, const Config& config, const LoopRequest& request,
             const LoopCallbacks& callbacks);

} // namespace lastgood::schedule
