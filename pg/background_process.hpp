#pragma once
// A child left running while lastgood works (a scratch cluster's postmaster,
// started directly instead of through pg_ctl, which would let it daemonize and
// outlive a killed lastgood). Like run_process's children it leads its own
// process group and gets SIGKILL when this process dies; since the kernel ties
// that to the starting *thread*, start and stop it on a thread that outlives
// its use. Its stdout and stderr append to a log file.

#include "pg/child_process.hpp"

#include <string>
#include <sys/types.h>

namespace lastgood::pg {

class BackgroundProcess
{
public:
  // Starts options.argv (env, run_as_user and cwd as in run_process; timeout
  // and output_limit are ignored) with stdout and stderr appended to log_path,
  // which this process creates when missing. Throws Error when it cannot.
  BackgroundProcess(const ProcessOptions& options, const std::string& log_path);
  // Kills the process group (SIGKILL) and reaps the child unless waited for.
  ~BackgroundProcess();
  BackgroundProcess(const BackgroundProcess&) = delete;
  BackgroundProcess& operator=(const BackgroundProcess&) = delete;

  pid_t pid() const { return m_pid; }
  // Whether the child has ended (it stays a zombie until wait()).
  bool exited() const;
  // Waits for the child to end and reaps it; returns its wait status. Once only.
  int wait();

private:
  pid_t m_pid = -1;
  bool m_reaped = false;
};

} // namespace lastgood::pg
