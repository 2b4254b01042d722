#include "tests/support/s3_server.hpp"

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <cstdlib>
#include <memory>
#include <stdexcept>

extern char** environ;

namespace lastgood::testing {

namespace {

std::string fixture_script()
{
  return std::string(LASTGOOD_SOURCE_DIR) + "/tests/fixtures/s3-server";
}

} // namespace

S3Server& S3Server::shared()
{
  static S3Server server(std::string(kBucket) + "," + kOtherBucket);
  ::setenv("AWS_ACCESS_KEY_ID", kAccessKeyId, 1);
  ::setenv("AWS_SECRET_ACCESS_KEY", kSecretAccessKey, 1);
  ::unsetenv("AWS_SESSION_TOKEN");
  return server;
}

S3Server::S3Server(const std::string& buckets)
{
  int to_child[2], from_child[2];
  if (::pipe2(to_child, O_CLOEXEC) != 0 || ::pipe2(from_child, O_CLOEXEC) != 0)
    throw std::runtime_error("S3Server: cannot create pipes");
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_adddup2(&actions, to_child[0], STDIN_FILENO);
  posix_spawn_file_actions_adddup2(&actions, from_child[1], STDOUT_FILENO);
  const std::string script = fixture_script();
  std::string node = "node", legacy = "--openssl-legacy-provider", arg = buckets;
  char* argv[] = {node.data(), legacy.data(), const_cast<char*>(script.c_str()), arg.data(), nullptr};
  const int spawned = ::posix_spawnp(&m_pid, "node", &actions, nullptr, argv, environ);
  posix_spawn_file_actions_destroy(&actions);
  ::close(to_child[0]);
  ::close(from_child[1]);
  m_stdin = to_child[1];
  if (spawned != 0) {
    ::close(from_child[0]);
    throw std::runtime_error("cannot start the S3 test server: 'node' (Node.js) was not found; "
                             "run scripts/setup-deps, which installs nodejs, npm and s3rver");
  }
  // Wait for the "endpoint=... directory=..." line (at most 30 s).
  std::string line;
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(30);
  while (line.find('\n') == std::string::npos && std::chrono::steady_clock::now() < deadline) {
    pollfd fd{from_child[0], POLLIN, 0};
    if (::poll(&fd, 1, 200) <= 0) continue;
    char buffer[512];
    const ssize_t n = ::read(from_child[0], buffer, sizeof buffer);
    if (n <= 0) break;
    line.append(buffer, static_cast<std::size_t>(n));
  }
  ::close(from_child[0]);
  const auto endpoint_at = line.find("endpoint=");
  const auto directory_at = line.find(" directory=");
  if (endpoint_at == std::string::npos || directory_at == std::string::npos) {
    stop();
    throw std::runtime_error("cannot start the S3 test server (" + script +
                             "): it printed no endpoint; is s3rver installed in tests/node/node_modules? "
                             "Run scripts/setup-deps (see its messages on stderr above)");
  }
  m_endpoint = line.substr(endpoint_at + 9, directory_at - endpoint_at - 9);
  m_directory = line.substr(directory_at + 11, line.find('\n') - directory_at - 11);
}

S3Server::~S3Server() { stop(); }

void S3Server::stop()
{
  if (m_stdin >= 0) ::close(m_stdin);  // the server stops when its stdin closes
  m_stdin = -1;
  if (m_pid > 0) {
    ::kill(m_pid, SIGTERM);
    int status = 0;
    ::waitpid(m_pid, &status, 0);
    m_pid = -1;
  }
}

std::string S3Server::url(const std::string& prefix, const std::string& bucket,
                          const std::string& extra_options) const
{
  std::string url = "s3://" + bucket + (prefix.empty() ? "" : "/" + prefix) + "?endpoint=" + m_endpoint;
  if (!extra_options.empty()) url += "&" + extra_options;
  return url;
}

std::filesystem::path source_dir() { return LASTGOOD_SOURCE_DIR; }

std::string unique_s3_prefix(const std::string& stem)
{
  static std::atomic<int> counter{0};
  return stem + "-" + std::to_string(::getpid()) + "-" + std::to_string(++counter);
}

} // namespace lastgood::testing
