#include "tests/support/run_command.hpp"

#include "tests/support/temp_dir.hpp"

#include <cstdio>
#include <cstdlib>
#include <sys/wait.h>
#include <unistd.h>

namespace lastgood::testing {

std::string shell_quote(const std::string& s)
{
  std::string out = "'";
  for (char c : s)
    out += c == '\'' ? std::string("'\\''") : std::string(1, c);
  return out + "'";
}

CommandResult run_shell(const std::string& command_line)
{
  TempDir dir;
  auto out = dir.path() / "out", err = dir.path() / "err";
  std::string full = "(" + command_line + ") >" + shell_quote(out.string()) + " 2>" +
                     shell_quote(err.string()) + " </dev/null";
  int status = std::system(full.c_str());
  CommandResult r;
  r.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
  r.out = read_file(out);
  r.err = read_file(err);
  return r;
}

std::string lastgood_binary()
{
  const char* bin = std::getenv("LASTGOOD_BIN");
  return bin && *bin ? bin : LASTGOOD_TEST_BIN;
}

CommandResult run_lastgood(const std::string& args, bool as_unprivileged)
{
  std::string prefix;
  if (as_unprivileged && ::geteuid() == 0)
    prefix = "setpriv --reuid=65534 --regid=65534 --clear-groups ";
  return run_shell(prefix + shell_quote(lastgood_binary()) + " " + args);
}

CommandResult run_lastgood_in(const std::string& dir, const std::string& args)
{
  const char* bin = std::getenv("LASTGOOD_BIN");
  if (!bin || !*bin) bin = LASTGOOD_TEST_BIN;
  return run_shell("cd " + shell_quote(dir) + " && " + shell_quote(bin) + " " + args);
}

} // namespace lastgood::testing
