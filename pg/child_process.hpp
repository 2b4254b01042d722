#pragma once
// Running PostgreSQL's tools (initdb, pg_ctl, pg_restore, psql, ...) as child
// processes: never through a shell, stdout and stderr captured concurrently
// (bounded), an optional timeout that takes down the child's whole process
// group, and an optional switch to another OS user when running as root.

#include <chrono>
#include <cstddef>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace lastgood::pg {

struct ProcessOptions
{
  // argv[0] is the program: a path, or a name searched on PATH (the PATH in
  // `env` when given there, else this process's).
  std::vector<std::string> argv{};
  // Added to (or overriding) this process's environment.
  std::vector<std::pair<std::string, std::string>> env{};
  // Empty: run as this process's user. Set while running as root: switch uid,
  // gid and supplementary groups to that user before exec (HOME, USER and
  // LOGNAME follow unless set in `env`). Set while not root: allowed only when
  // it names the current user.
  std::string run_as_user{};
  // Working directory of the child (entered after the user switch, so it must
  // be accessible to run_as_user); empty = this process's.
  std::string cwd{};
  // 0 = none. On timeout the child's process group gets SIGTERM, then SIGKILL
  // after a short grace period.
  std::chrono::milliseconds timeout{0};
  // At most this many bytes of stdout and of stderr are kept: the head and the
  // last bytes, with a marker saying how much was left out in between.
  std::size_t output_limit = 1 << 20;
  // The child's stdin: a descriptor the caller owns and keeps open while the
  // child runs (the read end of a pipe a feeder thread writes); -1: /dev/null.
  int stdin_fd = -1;
};

struct ProcessResult
{
  int exit_code = -1; // 128+signal when killed by a signal
  bool timed_out = false;
  std::string out{}, err{};
  int term_signal = 0; // the signal that ended it, 0 when it exited
};

// Runs the program to completion. Stdin is /dev/null (or stdin_fd); the child leads its own
// process group, inherits no descriptors besides 0, 1 and 2, and is killed
// when this process dies (PR_SET_PDEATHSIG, see child_setup.hpp). Throws Error
// when the program cannot be started (not found, not executable, no such user,
// cannot switch user); a program that runs and fails is a result, not an error.
ProcessResult run_process(const ProcessOptions& options);

// Full path of a PostgreSQL program (initdb, pg_ctl, pg_restore, ...), looked
// up in $LASTGOOD_PG_BINDIR, then `pg_config --bindir`, then the newest
// /usr/lib/postgresql/*/bin holding it, then PATH. Results are cached.
// Throws Error naming the package to install when it is nowhere.
std::string find_pg_program(std::string_view name);

// The first executable `name` in a colon-separated list of directories; ""
// when there is none.
std::string search_path(std::string_view name, std::string_view directories);

// "pg_restore not found: install postgresql-client or put it on PATH".
std::string missing_program_message(std::string_view name);

// "<what> failed with exit code 1" (or "timed out", "was killed by signal 9")
// followed by the last `lines` lines of stderr (stdout when stderr is empty),
// redacted; for error messages and findings.
std::string describe_failure(const ProcessResult& result, std::string_view what,
                             std::size_t lines = 20);

} // namespace lastgood::pg
