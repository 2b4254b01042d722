#include "tests/support/loopback_http_server.hpp"

#include "tests/support/run_command.hpp"

#include <chrono>
#include <filesystem>
#include <fstream>
#include <signal.h>
#include <stdexcept>
#include <thread>

namespace lastgood::testing {

namespace fs = std::filesystem;

LoopbackHttpServer::LoopbackHttpServer(const std::string& script, const std::string& options)
{
  const auto path = source_dir() / "tests/support" / script;
  auto r = run_shell("python3 " + shell_quote(path.string()) + " " +
                     shell_quote(port_file().string()) + " " + shell_quote(log_file().string()) +
                     " " + options + " >/dev/null 2>&1 & echo $!");
  m_pid = std::stoi(r.out);
  for (int i = 0; i < 200 && !fs::exists(port_file()); ++i)
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  if (!fs::exists(port_file())) throw std::runtime_error(script + " did not start");
  m_port = std::stoi(read_file(port_file()));
}

LoopbackHttpServer::~LoopbackHttpServer()
{
  ::kill(m_pid, SIGTERM);
}

std::string LoopbackHttpServer::base_url() const
{
  return "http://127.0.0.1:" + std::to_string(m_port);
}

std::vector<nlohmann::json> LoopbackHttpServer::requests() const
{
  std::vector<nlohmann::json> out;
  if (!fs::exists(log_file())) return out;
  std::ifstream in(log_file());
  for (std::string line; std::getline(in, line);)
    out.push_back(nlohmann::json::parse(line));
  return out;
}

} // namespace lastgood::testing
