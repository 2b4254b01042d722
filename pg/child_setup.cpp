#include "pg/child_setup.hpp"

#include "common/error.hpp"

#include <cerrno>
#include <csignal>
#include <cstring>
#include <fcntl.h>
#include <grp.h>
#include <pwd.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

namespace lastgood::pg {
namespace {

std::string errno_text(int error)
{
  return std::strerror(error);
}

// What the child reports through the close-on-exec pipe when it cannot exec.
struct ExecFailure
{
  int stage;
  int error;
};
enum Stage : int { kStageSetup, kStageUser, kStageChdir, kStageExec, kStageOrphaned };

[[noreturn]] void child_fail(int report, Stage stage)
{
  ExecFailure f{stage, errno};
  [[maybe_unused]] ssize_t n = ::write(report, &f, sizeof f);
  ::_exit(127);
}

// In the forked child: async-signal-safe calls only, no allocation.
[[noreturn]] void child_main(const ChildSpec& spec, int report, pid_t parent)
{
  ::setpgid(0, 0);
  sigset_t none;
  ::sigemptyset(&none);
  ::sigprocmask(SIG_SETMASK, &none, nullptr);
  for (int sig = 1; sig < NSIG; ++sig)
    if (sig != SIGKILL && sig != SIGSTOP) ::signal(sig, SIG_DFL);
  if (::dup2(spec.stdin_fd, 0) < 0 || ::dup2(spec.stdout_fd, 1) < 0 ||
      ::dup2(spec.stderr_fd, 2) < 0)
    child_fail(report, kStageSetup);
  if (report > 3) ::close_range(3, report - 1, 0);
  ::close_range(report + 1, ~0U, 0);
  const ChildIdentity* id = spec.identity;
  if (id && id->do_switch &&
      (::setgroups(id->groups.size(), id->groups.data()) != 0 || ::setgid(id->gid) != 0 ||
       ::setuid(id->uid) != 0))
    child_fail(report, kStageUser);
  // After the user switch: changing credentials clears the death signal. It
  // survives the exec (our tools are not set-user-ID). A parent that died
  // before prctl is seen as a new parent pid.
  if (::prctl(PR_SET_PDEATHSIG, SIGKILL) != 0) child_fail(report, kStageSetup);
  if (::getppid() != parent) {
    errno = ESRCH;
    child_fail(report, kStageOrphaned);
  }
  if (spec.cwd && ::chdir(spec.cwd) != 0) child_fail(report, kStageChdir);
  ::execve(spec.path, spec.argv, spec.envp);
  child_fail(report, kStageExec);
}

std::string exec_failure_message(const ExecFailure& f, const std::string& program, const char* path,
                                 const std::string& user, const char* cwd)
{
  std::string why = errno_text(f.error);
  switch (f.stage) {
  case kStageUser:
    return "could not switch to user '" + user + "' to run " + program + ": " + why;
  case kStageChdir:
    return "could not enter " + std::string(cwd ? cwd : "") + " to run " + program +
           (user.empty() ? "" : " as user '" + user + "'") + ": " + why +
           "; the directory and its parents must be accessible";
  case kStageExec:
    return "could not execute " + std::string(path) + ": " + why +
           "; check that it is an executable program";
  case kStageOrphaned:
    return "could not start " + program + ": lastgood was exiting";
  default:
    return "could not set up the child process for " + program + ": " + why;
  }
}

} // namespace

ChildIdentity resolve_child_user(const std::string& user, const std::string& program)
{
  ChildIdentity id;
  if (user.empty()) return id;
  std::vector<char> buf(16384);
  passwd pw{};
  passwd* found = nullptr;
  int rc;
  while ((rc = ::getpwnam_r(user.c_str(), &pw, buf.data(), buf.size(), &found)) == ERANGE)
    buf.resize(buf.size() * 2);
  if (!found)
    throw Error("cannot run " + program + " as user '" + user + "': no such user" +
                (rc ? " (" + errno_text(rc) + ")" : std::string()) +
                "; create it or choose another user");
  if (::geteuid() != 0) {
    if (pw.pw_uid == ::geteuid()) return id;
    throw Error("cannot run " + program + " as user '" + user +
                "': switching users needs root; run lastgood as that user or as root");
  }
  id = {true, pw.pw_uid, pw.pw_gid, std::vector<gid_t>(64), pw.pw_name, pw.pw_dir};
  int n = static_cast<int>(id.groups.size());
  while (::getgrouplist(pw.pw_name, pw.pw_gid, id.groups.data(), &n) < 0)
    id.groups.resize(n + 64);
  id.groups.resize(n);
  return id;
}

int move_above_stdio(int fd)
{
  if (fd < 0 || fd > 2) return fd;
  int high = ::fcntl(fd, F_DUPFD_CLOEXEC, 3);
  ::close(fd);
  return high;
}

pid_t fork_exec_child(const ChildSpec& spec, const std::string& program, const std::string& user)
{
  int fds[2];
  if (::pipe2(fds, O_CLOEXEC) != 0)
    throw Error("could not start " + program + ": could not create a pipe: " + errno_text(errno));
  int report_read = move_above_stdio(fds[0]), report_write = move_above_stdio(fds[1]);
  const pid_t parent = ::getpid();
  pid_t pid = ::fork();
  if (pid < 0) {
    int error = errno;
    ::close(report_read), ::close(report_write);
    throw Error("could not start " + program + ": fork failed: " + errno_text(error));
  }
  if (pid == 0) child_main(spec, report_write, parent);
  ::setpgid(pid, pid); // also in the child; whichever runs first wins the race
  ::close(report_write);
  ExecFailure failure{};
  ssize_t got;
  while ((got = ::read(report_read, &failure, sizeof failure)) < 0 && errno == EINTR) {
  }
  ::close(report_read);
  if (got == static_cast<ssize_t>(sizeof failure)) {
    int status = 0;
    while (::waitpid(pid, &status, 0) < 0 && errno == EINTR) {
    }
    throw Error(exec_failure_message(failure, program, spec.path, user, spec.cwd));
  }
  return pid;
}

} // namespace lastgood::pg
