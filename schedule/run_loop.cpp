#include "schedule/run_loop.hpp"

#include "common/error.hpp"

#include <cerrno>
#include <csignal>
#include <cstring>
#include <ctime>

namespace lastgood::schedule {
namespace {

sigset_t stop_signals()
{
  sigset_t set;
  sigemptyset(&set);
  sigaddset(&set, SIGTERM);
  sigaddset(&set, SIGINT);
  sigaddset(&set, SIGHUP);
  return set;
}

// Blocks the stop signals while waiting (so one arriving then is taken here,
// not by their default action) and unblocks them afterwards: children started
// by the next run inherit the signal mask.
class StopSignalsBlocked
{
public:
  StopSignalsBlocked() : m_set(stop_signals())
  {
    if (::sigprocmask(SIG_BLOCK, &m_set, &m_old) != 0)
      throw Error(std::string("run --loop: cannot block signals: ") + std::strerror(errno));
  }
  ~StopSignalsBlocked() { ::sigprocmask(SIG_SETMASK, &m_old, nullptr); }
  StopSignalsBlocked(const StopSignalsBlocked&) = delete;
  StopSignalsBlocked& operator=(const StopSignalsBlocked&) = delete;

  // True when a stop signal arrived before `until`.
  bool stopped_before(std::chrono::steady_clock::time_point until) const
  {
    for (;;) {
      auto left = until - std::chrono::steady_clock::now();
      if (left <= std::chrono::steady_clock::duration::zero()) {
        timespec none{0, 0};
        return ::sigtimedwait(&m_set, nullptr, &none) > 0; // one already pending
      }
      auto ns = std::chrono::duration_cast<std::chrono::nanoseconds>(left).count();
      timespec wait{static_cast<time_t>(ns / 1000000000), static_cast<long>(ns % 1000000000)};
      if (::sigtimedwait(&m_set, nullptr, &wait) > 0) return true;
      if (errno != EAGAIN && errno != EINTR)
        throw Error(std::string("run --loop: waiting failed: ") + std::strerror(errno));
    }
  }

private:
  sigset_t m_set, m_old;
};

} // namespace

int run_loop(catalog::Database& db, const Config& config, const LoopRequest& request,
             const LoopCallbacks& callbacks)
{
  if (request.every <= std::chrono::seconds::zero())
    throw UsageError("run --loop: --every must be longer than 0 s");
  for (;;) {
    const auto started = std::chrono::steady_clock::now();
    const auto result = run_scheduled(db, config, request.run, callbacks.on_stage);
    if (callbacks.on_run) callbacks.on_run(result);
    const auto next = started + request.every;
    if (callbacks.on_wait)
      callbacks.on_wait(std::chrono::system_clock::now() +
                        std::chrono::duration_cast<std::chrono::system_clock::duration>(
                            std::max(next - std::chrono::steady_clock::now(),
                                     std::chrono::steady_clock::duration::zero())));
    StopSignalsBlocked blocked;
    if (blocked.stopped_before(next)) return 0;
  }
}

} // namespace lastgood::schedule
