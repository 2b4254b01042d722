#include "tests/support/node_process.hpp"

#include <chrono>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <stdexcept>
#include <sys/wait.h>
#include <unistd.h>

extern char** environ;

namespace lastgood::testing {

NodeProcess::NodeProcess(const std::vector<std::string>& arguments, const std::string& what)
{
  int to_child[2], from_child[2];
  if (::pipe2(to_child, O_CLOEXEC) != 0) throw std::runtime_error(what + ": cannot create a pipe");
  if (::pipe2(from_child, O_CLOEXEC) != 0) {
    ::close(to_child[0]);
    ::close(to_child[1]);
    throw std::runtime_error(what + ": cannot create a pipe");
  }
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_adddup2(&actions, to_child[0], STDIN_FILENO);
  posix_spawn_file_actions_adddup2(&actions, from_child[1], STDOUT_FILENO);
  std::vector<std::string> args = {"node"};
  args.insert(args.end(), arguments.begin(), arguments.end());
  std::vector<char*> argv;
  for (auto& arg : args)
    argv.push_back(arg.data());
  argv.push_back(nullptr);
  const int spawned = ::posix_spawnp(&m_pid, "node", &actions, nullptr, argv.data(), environ);
  posix_spawn_file_actions_destroy(&actions);
  ::close(to_child[0]);
  ::close(from_child[1]);
  m_stdin = to_child[1];
  if (spawned != 0) {
    m_pid = -1;
    ::close(from_child[0]);
    stop();
    throw std::runtime_error("cannot start " + what +
                             ": 'node' (Node.js) was not found; run scripts/setup-deps, "
                             "which installs nodejs, npm and the npm test tools");
  }
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(30);
  while (m_line.find('\n') == std::string::npos && std::chrono::steady_clock::now() < deadline) {
    pollfd fd{from_child[0], POLLIN, 0};
    if (::poll(&fd, 1, 200) <= 0) continue;
    char buffer[512];
    const ssize_t n = ::read(from_child[0], buffer, sizeof buffer);
    if (n <= 0) break;
    m_line.append(buffer, static_cast<std::size_t>(n));
  }
  ::close(from_child[0]);
  if (m_line.find('\n') == std::string::npos) {
    stop();
    throw std::runtime_error(
        "cannot start " + what +
        ": it printed nothing (see its messages on stderr above); "
        "are the npm test tools installed in tests/node/node_modules? Run scripts/setup-deps");
  }
  m_line.erase(m_line.find('\n'));
}

NodeProcess::~NodeProcess()
{
  stop();
}

void NodeProcess::stop()
{
  if (m_stdin >= 0) ::close(m_stdin); // the scripts stop when their stdin closes
  m_stdin = -1;
  if (m_pid > 0) {
    ::kill(m_pid, SIGTERM);
    int status = 0;
    ::waitpid(m_pid, &status, 0);
    m_pid = -1;
  }
}

std::string NodeProcess::field(const std::string& name) const
{
  const auto at = m_line.find(name + "=");
  if (at == std::string::npos) return {};
  const auto start = at + name.size() + 1;
  return m_line.substr(start, m_line.find(' ', start) - start);
}

} // namespace lastgood::testing
