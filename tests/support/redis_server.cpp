#include "tests/support/redis_server.hpp"

#include "pg/scratch_cluster.hpp"
#include "tests/support/run_command.hpp"

#include <chrono>
#include <signal.h>
#include <stdexcept>
#include <thread>
#include <unistd.h>

namespace lastgood::testing {

bool RedisServer::installed()
{
  return run_shell("command -v redis-server && command -v redis-cli").exit_code == 0;
}

RedisServer::RedisServer(const std::string& password) : m_password(password)
{
  m_port = pg::pick_free_port();
  std::string line = "redis-server --bind 127.0.0.1 --port " + std::to_string(m_port) +
                     " --save '' --appendonly no --daemonize no --dir " +
                     shell_quote(m_dir.path().string());
  if (!password.empty()) line += " --requirepass " + shell_quote(password);
  auto r = run_shell(line + " >" + shell_quote((m_dir.path() / "redis.log").string()) +
                     " 2>&1 & echo $!");
  m_pid = std::stoi(r.out);
  for (int i = 0; i < 200; ++i) {
    // PONG, or NOAUTH when a password is required: either way it listens.
    auto ping = run_shell("redis-cli -h 127.0.0.1 -p " + std::to_string(m_port) + " PING 2>&1");
    if (ping.out.find("PONG") != std::string::npos || ping.out.find("NOAUTH") != std::string::npos)
      return;
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  ::kill(m_pid, SIGTERM);
  throw std::runtime_error("redis-server did not start: " + read_file(m_dir.path() / "redis.log"));
}

RedisServer::~RedisServer()
{
  ::kill(m_pid, SIGTERM);
  // Not our child (started through the shell): wait, bounded, until it is gone.
  for (int i = 0; i < 100 && ::kill(m_pid, 0) == 0; ++i)
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
}

std::string RedisServer::cli(const std::string& args) const
{
  std::string auth = m_password.empty() ? "" : " --no-auth-warning -a " + shell_quote(m_password);
  return run_shell("redis-cli -h 127.0.0.1 -p " + std::to_string(m_port) + auth + " " + args).out;
}

} // namespace lastgood::testing
