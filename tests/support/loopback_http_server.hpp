#pragma once
// A Python http.server script from tests/support/ (sts_server.py,
// imds_server.py) on a free loopback port, stopped when it goes out of scope.
// Each script writes its port to a file and logs one JSON line per request.

#include "tests/support/temp_dir.hpp"

#include <nlohmann/json.hpp>
#include <string>
#include <sys/types.h>
#include <vector>

namespace lastgood::testing {

class LoopbackHttpServer
{
public:
  // script: a file name in tests/support/; options: passed on (already quoted).
  LoopbackHttpServer(const std::string& script, const std::string& options);
  ~LoopbackHttpServer();
  LoopbackHttpServer(const LoopbackHttpServer&) = delete;
  LoopbackHttpServer& operator=(const LoopbackHttpServer&) = delete;

  std::string base_url() const; // "http://127.0.0.1:PORT"
  std::vector<nlohmann::json> requests() const;

private:
  std::filesystem::path port_file() const { return m_dir.path() / "port"; }
  std::filesystem::path log_file() const { return m_dir.path() / "requests.jsonl"; }
  TempDir m_dir;
  pid_t m_pid = 0;
  int m_port = 0;
};

} // namespace lastgood::testing
