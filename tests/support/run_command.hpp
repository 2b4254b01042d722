#pragma once
// Runs the lastgood binary (env LASTGOOD_BIN, else the one built beside the tests) or any command
// line through the shell and captures its exit code, stdout and stderr.

#include <string>

namespace lastgood::testing {

struct CommandResult
{
  int exit_code = -1;
  std::string out;
  std::string err;
};

CommandResult run_shell(const std::string& command_line);
// "<LASTGOOD_BIN> <args>"; when running as root and as_unprivileged is set,
// runs as the 'nobody' user (root would read files a test made unreadable).
CommandResult run_lastgood(const std::string& args, bool as_unprivileged = false);
// The same, run with `dir` as the working directory (as PostgreSQL runs restore_command).
CommandResult run_lastgood_in(const std::string& dir, const std::string& args);

std::string shell_quote(const std::string& s);
// The binary run_lastgood runs (for command lines that set its environment).
std::string lastgood_binary();

} // namespace lastgood::testing
