#include "pg/background_process.hpp"

#include "common/error.hpp"
#include "pg/child_setup.hpp"
#include "pg/process_env.hpp"

#include <cerrno>
#include <csignal>
#include <cstring>
#include <fcntl.h>
#include <sys/wait.h>
#include <unistd.h>

namespace lastgood::pg {
namespace {

struct OwnedFd
{
  int fd;
  ~OwnedFd()
  {
    if (fd >= 0) ::close(fd);
  }
};

} // namespace

BackgroundProcess::BackgroundProcess(const ProcessOptions& options, const std::string& log_path)
{
  if (options.argv.empty() || options.argv[0].empty() ||
      options.argv[0].find('/') == std::string::npos)
    throw Error("BackgroundProcess: the program must be given as a full path");
  const std::string& program = options.argv[0];
  ChildIdentity id = resolve_child_user(options.run_as_user, program);
  std::vector<std::pair<std::string, std::string>> extra;
  if (id.do_switch) extra = {{"HOME", id.home}, {"USER", id.name}, {"LOGNAME", id.name}};
  extra.insert(extra.end(), options.env.begin(), options.env.end());
  std::vector<std::string> env = environment_with(extra), args = options.argv;
  std::vector<char*> argv = c_strings(args), envp = c_strings(env);

  OwnedFd devnull{move_above_stdio(::open("/dev/null", O_RDONLY | O_CLOEXEC))};
  if (devnull.fd < 0) throw Error("could not open /dev/null: " + std::string(std::strerror(errno)));
  OwnedFd log{move_above_stdio(
      ::open(log_path.c_str(), O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC | O_NOCTTY, 0600))};
  if (log.fd < 0)
    throw Error("could not open the log " + log_path + " for " + program + ": " +
                std::strerror(errno));
  m_pid = fork_exec_child({.stdin_fd = devnull.fd,
                           .stdout_fd = log.fd,
                           .stderr_fd = log.fd,
                           .identity = &id,
                           .cwd = options.cwd.empty() ? nullptr : options.cwd.c_str(),
                           .path = program.c_str(),
                           .argv = argv.data(),
                           .envp = envp.data()},
                          program, options.run_as_user);
}

BackgroundProcess::~BackgroundProcess()
{
  if (m_reaped || m_pid <= 0) return;
  ::kill(-m_pid, SIGKILL);
  ::kill(m_pid, SIGKILL);
  wait();
}

bool BackgroundProcess::exited() const
{
  if (m_reaped) return true;
  siginfo_t info{};
  return ::waitid(P_PID, m_pid, &info, WEXITED | WNOHANG | WNOWAIT) == 0 && info.si_pid != 0;
}

int BackgroundProcess::wait()
{
  int status = 0;
  if (m_reaped) return status;
  while (::waitpid(m_pid, &status, 0) < 0 && errno == EINTR) {
  }
  m_reaped = true;
  return status;
}

} // namespace lastgood::pg
