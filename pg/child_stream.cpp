#include "pg/child_stream.hpp"

#include "common/error.hpp"
#include "pg/child_setup.hpp"
#include "pg/process_env.hpp"

#include <algorithm>
#include <cerrno>
#include <csignal>
#include <cstring>
#include <fcntl.h>
#include <map>
#include <poll.h>
#include <sys/wait.h>
#include <unistd.h>

namespace lastgood::pg {
namespace {

std::string errno_text(int error)
{
  return std::strerror(error);
}

void close_fd(int& fd)
{
  if (fd >= 0) ::close(fd);
  fd = -1;
}

} // namespace

ChildStream::ChildStream(std::vector<std::string> argv,
                         std::vector<std::pair<std::string, std::string>> env,
                         std::size_t stderr_limit)
    : m_stderr_limit(std::max<std::size_t>(stderr_limit, 1024))
{
  if (argv.empty() || argv[0].empty()) throw Error("ChildStream: no program given (empty argv)");
  m_program = argv[0];
  std::string path = m_program;
  if (path.find('/') == std::string::npos) {
    const char* path_var = std::getenv("PATH");
    path = search_path(m_program, path_var ? path_var : "/usr/local/bin:/usr/bin:/bin");
    if (path.empty()) throw Error(missing_program_message(m_program));
  }
  std::vector<std::string> envs = environment_with(env);
  std::vector<char*> c_argv = c_strings(argv), c_env = c_strings(envs);

  int out[2], err[2];
  if (::pipe2(out, O_CLOEXEC) != 0)
    throw Error("could not create a pipe for " + m_program + ": " + errno_text(errno));
  if (::pipe2(err, O_CLOEXEC) != 0) {
    ::close(out[0]), ::close(out[1]);
    throw Error("could not create a pipe for " + m_program + ": " + errno_text(errno));
  }
  for (int* fd : {&out[0], &out[1], &err[0], &err[1]})
    *fd = move_above_stdio(*fd);
  m_out = out[0], m_err = err[0];
  int devnull = move_above_stdio(::open("/dev/null", O_RDONLY | O_CLOEXEC));
  try {
    if (devnull < 0) throw Error("could not open /dev/null: " + errno_text(errno));
    m_pid = fork_exec_child({.stdin_fd = devnull,
                             .stdout_fd = out[1],
                             .stderr_fd = err[1],
                             .path = path.c_str(),
                             .argv = c_argv.data(),
                             .envp = c_env.data()},
                            m_program);
  } catch (const Error&) {
    if (devnull >= 0) ::close(devnull);
    ::close(out[1]), ::close(err[1]);
    close_fd(m_out), close_fd(m_err);
    m_reaped = true;
    throw;
  }
  ::close(devnull), ::close(out[1]), ::close(err[1]);
  ::fcntl(m_err, F_SETFL, ::fcntl(m_err, F_GETFL) | O_NONBLOCK);
}

ChildStream::~ChildStream()
{
  close_fd(m_out);
  close_fd(m_err);
  if (m_reaped) return;
  ::kill(-m_pid, SIGKILL);
  ::kill(m_pid, SIGKILL);
  int status = 0;
  while (::waitpid(m_pid, &status, 0) < 0 && errno == EINTR) {
  }
}

void ChildStream::kill(int signal)
{
  if (!m_reaped) ::kill(-m_pid, signal);
}

void ChildStream::drain_stderr()
{
  char buf[16384];
  while (m_err >= 0) {
    ssize_t n = ::read(m_err, buf, sizeof buf);
    if (n == 0) {
      close_fd(m_err);
    } else if (n < 0) {
      if (errno != EINTR) return; // EAGAIN: nothing more for now
    } else {
      std::size_t got = static_cast<std::size_t>(n);
      m_stderr_total += got;
      std::size_t to_head =
          std::min(got, m_stderr_limit / 2 - std::min(m_stderr_limit / 2, m_err_head.size()));
      m_err_head.append(buf, to_head);
      m_err_tail.append(buf + to_head, got - to_head);
      if (m_err_tail.size() > m_stderr_limit)
        m_err_tail.erase(0, m_err_tail.size() - m_stderr_limit / 2);
    }
  }
}

std::size_t ChildStream::read(std::span<std::byte> buffer)
{
  if (m_out < 0 || buffer.empty()) return 0;
  for (;;) {
    pollfd fds[2] = {{m_out, POLLIN, 0}, {m_err, POLLIN, 0}};
    if (::poll(fds, m_err >= 0 ? 2 : 1, -1) < 0) {
      if (errno == EINTR) continue;
      throw Error("waiting for output of " + m_program + " failed: " + errno_text(errno));
    }
    if (m_err >= 0 && fds[1].revents) drain_stderr();
    if (!fds[0].revents) continue;
    ssize_t n = ::read(m_out, buffer.data(), buffer.size());
    if (n < 0) {
      if (errno == EINTR) continue;
      throw Error("reading the output of " + m_program + " failed: " + errno_text(errno));
    }
    if (n == 0) close_fd(m_out);
    return static_cast<std::size_t>(n);
  }
}

ProcessResult ChildStream::wait()
{
  if (m_reaped) throw Error("ChildStream::wait called twice for " + m_program);
  close_fd(m_out);
  // Until stderr ends or the child is gone (a grandchild may hold stderr open).
  while (m_err >= 0) {
    pollfd fd{m_err, POLLIN, 0};
    if (::poll(&fd, 1, 100) < 0 && errno != EINTR) break;
    drain_stderr();
    siginfo_t info{};
    if (::waitid(P_PID, m_pid, &info, WEXITED | WNOHANG | WNOWAIT) == 0 && info.si_pid != 0) {
      drain_stderr();
      break;
    }
  }
  close_fd(m_err);
  int status = 0;
  while (::waitpid(m_pid, &status, 0) < 0 && errno == EINTR) {
  }
  m_reaped = true;
  ProcessResult result;
  if (WIFSIGNALED(status)) {
    result.term_signal = WTERMSIG(status);
    result.exit_code = 128 + result.term_signal;
  } else {
    result.exit_code = WEXITSTATUS(status);
  }
  const std::size_t kept = m_err_head.size() + m_err_tail.size();
  result.err = m_err_head;
  if (m_stderr_total > kept)
    result.err += "\n[... " + std::to_string(m_stderr_total - kept) + " bytes left out ...]\n";
  result.err += m_err_tail;
  return result;
}

} // namespace lastgood::pg
