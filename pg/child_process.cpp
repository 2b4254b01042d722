#include "pg/child_process.hpp"

#include "common/error.hpp"
#include "common/redact.hpp"
#include "pg/child_setup.hpp"
#include "pg/process_env.hpp"

#include <algorithm>
#include <cerrno>
#include <csignal>
#include <cstdlib>
#include <cstring>
#include <fcntl.h>
#include <map>
#include <poll.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

namespace lastgood::pg {
namespace {

using Clock = std::chrono::steady_clock;
using namespace std::chrono_literals;
constexpr auto kKillGrace = std::chrono::seconds(2);

std::string errno_text(int error)
{
  return std::strerror(error);
}

// An owned file descriptor, never one of 0, 1, 2 (so the child's dup2 onto
// those cannot clobber it).
class Fd
{
public:
  explicit Fd(int fd) : m_fd(move_above_stdio(fd)) {}
  Fd(Fd&& other) noexcept : m_fd(std::exchange(other.m_fd, -1)) {}
  ~Fd() { reset(); }
  int get() const { return m_fd; }
  void reset()
  {
    if (m_fd >= 0) ::close(m_fd);
    m_fd = -1;
  }

private:
  int m_fd = -1;
};

struct Pipe
{
  Fd read, write;
};

Pipe make_pipe()
{
  int fds[2];
  if (::pipe2(fds, O_CLOEXEC) != 0) throw Error("could not create a pipe: " + errno_text(errno));
  return Pipe{Fd(fds[0]), Fd(fds[1])};
}

// Keeps the head and the last bytes of a stream within `limit` bytes.
class CappedOutput
{
public:
  explicit CappedOutput(std::size_t limit) : m_limit(limit) {}
  void append(const char* data, std::size_t n)
  {
    m_total += n;
    std::size_t to_head = std::min(n, m_limit / 2 - std::min(m_limit / 2, m_head.size()));
    m_head.append(data, to_head);
    m_tail.append(data + to_head, n - to_head);
    if (m_tail.size() > 2 * m_limit + 65536) m_tail.erase(0, m_tail.size() - m_limit);
  }
  std::string finish()
  {
    if (m_total <= m_limit) return m_head + m_tail;
    std::string marker = "\n[... " + std::to_string(m_total - m_limit) + "+ bytes left out ...]\n";
    if (m_limit <= marker.size() * 2) return last(m_limit);
    std::size_t room = m_limit - marker.size();
    std::size_t head = std::min(m_head.size(), room / 2);
    return m_head.substr(0, head) + marker + last(room - head);
  }

private:
  std::string last(std::size_t n) const
  {
    std::string all = m_tail.size() >= n ? m_tail : m_head + m_tail;
    return all.substr(all.size() - std::min(n, all.size()));
  }
  std::size_t m_limit;
  std::size_t m_total = 0;
  std::string m_head, m_tail;
};

// One captured output stream of the child (its read end is non-blocking).
struct Stream
{
  Fd fd;
  CappedOutput kept;
  void drain() // what is there now; closes at end of file
  {
    char buf[65536];
    for (ssize_t n; fd.get() >= 0;) {
      if ((n = ::read(fd.get(), buf, sizeof buf)) > 0)
        kept.append(buf, static_cast<std::size_t>(n));
      else if (n == 0)
        fd.reset();
      else if (errno != EINTR)
        return; // EAGAIN: nothing more for now
    }
  }
};

// The child: killed (whole group) and reaped if still running when destroyed.
class Child
{
public:
  explicit Child(pid_t pid) : m_pid(pid) {}
  Child(const Child&) = delete;
  Child& operator=(const Child&) = delete;
  ~Child()
  {
    if (m_reaped) return;
    ::kill(-m_pid, SIGKILL);
    ::kill(m_pid, SIGKILL);
    wait();
  }
  bool exited() const // without reaping: the zombie keeps the process group id reserved
  {
    siginfo_t info{};
    return ::waitid(P_PID, m_pid, &info, WEXITED | WNOHANG | WNOWAIT) == 0 && info.si_pid != 0;
  }
  int wait()
  {
    int status = 0;
    while (::waitpid(m_pid, &status, 0) < 0 && errno == EINTR) {
    }
    m_reaped = true;
    return status;
  }

private:
  pid_t m_pid;
  bool m_reaped = false;
};

std::vector<std::string> child_environment(const ProcessOptions& options, const ChildIdentity& id)
{
  std::vector<std::pair<std::string, std::string>> extra;
  if (id.do_switch) extra = {{"HOME", id.home}, {"USER", id.name}, {"LOGNAME", id.name}};
  extra.insert(extra.end(), options.env.begin(), options.env.end());
  return environment_with(extra);
}

} // namespace

ProcessResult run_process(const ProcessOptions& options)
{
  if (options.argv.empty() || options.argv[0].empty())
    throw Error("run_process: no program given (empty argv)");
  const std::string& program = options.argv[0];
  ChildIdentity id = resolve_child_user(options.run_as_user, program);
  std::vector<std::string> env = child_environment(options, id);
  std::string path = program;
  if (program.find('/') == std::string::npos) {
    std::string path_var = "/usr/local/bin:/usr/bin:/bin";
    for (const auto& e : env)
      if (e.starts_with("PATH=")) path_var = e.substr(5);
    path = search_path(program, path_var);
    if (path.empty()) throw Error(missing_program_message(program));
  }
  std::vector<std::string> args = options.argv;
  std::vector<char*> argv = c_strings(args), envp = c_strings(env);

  Fd devnull(::open("/dev/null", O_RDONLY | O_CLOEXEC));
  if (devnull.get() < 0) throw Error("could not open /dev/null: " + errno_text(errno));
  Pipe out = make_pipe(), err = make_pipe();
  pid_t pid = fork_exec_child({.stdin_fd = options.stdin_fd >= 0 ? options.stdin_fd : devnull.get(),
                               .stdout_fd = out.write.get(),
                               .stderr_fd = err.write.get(),
                               .identity = &id,
                               .cwd = options.cwd.empty() ? nullptr : options.cwd.c_str(),
                               .path = path.c_str(),
                               .argv = argv.data(),
                               .envp = envp.data()},
                              program, options.run_as_user);
  Child child(pid);
  const auto started = Clock::now();
  out.write.reset(), err.write.reset();

  Stream streams[2] = {{std::move(out.read), CappedOutput(options.output_limit)},
                       {std::move(err.read), CappedOutput(options.output_limit)}};
  for (auto& s : streams)
    ::fcntl(s.fd.get(), F_SETFL, ::fcntl(s.fd.get(), F_GETFL) | O_NONBLOCK);
  // glibc 2.36 declares pidfd_open without extern "C"; without a pidfd, look every 20 ms.
  Fd pidfd(static_cast<int>(::syscall(SYS_pidfd_open, pid, 0)));
  ProcessResult result;
  // The next deadline: the timeout (then SIGTERM), the end of the grace period (then SIGKILL).
  auto next = options.timeout.count() > 0 ? started + options.timeout : Clock::time_point::max();
  for (int signals_sent = 0;;) {
    pollfd fds[3];
    nfds_t n = 0;
    for (auto& s : streams)
      if (s.fd.get() >= 0) fds[n++] = {s.fd.get(), POLLIN, 0};
    if (pidfd.get() >= 0) fds[n++] = {pidfd.get(), POLLIN, 0};
    std::chrono::milliseconds wait = pidfd.get() >= 0 ? 3600s : 20ms;
    if (next != Clock::time_point::max())
      wait = std::min(wait, std::chrono::ceil<std::chrono::milliseconds>(
                                std::max(next - Clock::now(), Clock::duration{})));
    if (::poll(fds, n, static_cast<int>(wait.count())) < 0 && errno != EINTR)
      throw Error("waiting for " + program + " failed: " + errno_text(errno));
    for (auto& s : streams)
      s.drain();
    if (Clock::now() >= next) {
      result.timed_out = true;
      ::kill(-pid, signals_sent++ == 0 ? SIGTERM : SIGKILL);
      next = signals_sent == 1 ? Clock::now() + kKillGrace : Clock::time_point::max();
    }
    // Grandchildren may still hold the pipes: take what is there and stop.
    if (child.exited()) {
      for (auto& s : streams)
        s.drain();
      break;
    }
  }
  if (result.timed_out) ::kill(-pid, SIGKILL); // stragglers of the group
  int status = child.wait();
  if (WIFSIGNALED(status)) {
    result.term_signal = WTERMSIG(status);
    result.exit_code = 128 + result.term_signal;
  } else {
    result.exit_code = WEXITSTATUS(status);
  }
  result.out = streams[0].kept.finish();
  result.err = streams[1].kept.finish();
  return result;
}

std::string describe_failure(const ProcessResult& result, std::string_view what, std::size_t lines)
{
  std::string summary(what);
  if (result.timed_out)
    summary += " timed out and was stopped";
  else if (result.term_signal)
    summary += " was killed by signal " + std::to_string(result.term_signal) + " (" +
               ::strsignal(result.term_signal) + ")";
  else if (result.exit_code == 0)
    summary += " succeeded";
  else
    summary += " failed with exit code " + std::to_string(result.exit_code);

  const std::string& text =
      result.err.find_first_not_of(" \t\r\n") != std::string::npos ? result.err : result.out;
  std::vector<std::string_view> tail;
  std::string_view rest(text);
  while (!rest.empty() && tail.size() < lines) {
    std::size_t nl = rest.find_last_of('\n', rest.size() - 1);
    std::string_view line = nl == std::string_view::npos ? rest : rest.substr(nl + 1);
    rest = nl == std::string_view::npos ? std::string_view() : rest.substr(0, nl);
    if (line.find_first_not_of(" \t\r") != std::string_view::npos) tail.push_back(line);
  }
  if (tail.empty()) return redact(summary);
  summary += ":";
  for (auto it = tail.rbegin(); it != tail.rend(); ++it)
    summary += "\n  " + std::string(*it);
  return redact(summary);
}

} // namespace lastgood::pg
