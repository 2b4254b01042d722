#pragma once
// A child process whose stdout the caller reads as a stream (pg_dump writing
// an archive to stdout), for output too large to capture in a string. Stdin
// is /dev/null, stderr is captured (head and tail, bounded) while stdout is
// read, the child leads its own process group and dies with this process
// (PR_SET_PDEATHSIG, see child_setup.hpp). Destroying a ChildStream
// whose child was not waited for kills the whole group and reaps it, so an
// exception anywhere in the pipeline never leaves a pg_dump running.

#include "pg/child_process.hpp"

#include <cstddef>
#include <span>
#include <string>
#include <string_view>
#include <sys/types.h>
#include <utility>
#include <vector>

namespace lastgood::pg {

class ChildStream
{
public:
  // Starts argv[0] (a path, or a name searched on PATH) with `env` added to
  // this process's environment. Throws Error when it cannot be started.
  // stderr_limit bounds the stderr kept (head and tail).
  explicit ChildStream(std::vector<std::string> argv,
                       std::vector<std::pair<std::string, std::string>> env = {},
                       std::size_t stderr_limit = 256 * 1024);
  ~ChildStream();
  ChildStream(const ChildStream&) = delete;
  ChildStream& operator=(const ChildStream&) = delete;

  // Reads the child's stdout: fills at most buffer.size() bytes and returns
  // how many, blocking until some are there; 0 at end of stream. Collects
  // stderr meanwhile so the child never blocks on it. Throws Error on a
  // failing read.
  std::size_t read(std::span<std::byte> buffer);

  // Closes stdout (a child still writing gets SIGPIPE), collects the rest of
  // stderr and waits for the child. `out` of the result is empty. Call once.
  ProcessResult wait();

  // Sends `signal` to the child's process group (while it has not been waited for).
  void kill(int signal);

  pid_t pid() const { return m_pid; }

private:
  void drain_stderr();

  pid_t m_pid = -1;
  int m_out = -1, m_err = -1;
  bool m_reaped = false;
  std::size_t m_stderr_limit;
  std::size_t m_stderr_total = 0;
  std::string m_err_head, m_err_tail;
  std::string m_program;
};

} // namespace lastgood::pg
