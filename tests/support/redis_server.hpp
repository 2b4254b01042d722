#pragma once
// A real redis-server on a free loopback port (no persistence, its files in a
// temporary directory), stopped when it goes out of scope.

#include "tests/support/temp_dir.hpp"

#include <string>
#include <sys/types.h>

namespace lastgood::testing {

class RedisServer
{
public:
  // password: requirepass (empty: none). Throws when redis-server is missing or does not start.
  explicit RedisServer(const std::string& password = "");
  ~RedisServer();
  RedisServer(const RedisServer&) = delete;
  RedisServer& operator=(const RedisServer&) = delete;

  static bool installed();
  int port() const { return m_port; }
  // redis-cli against it (with its password), e.g. cli("SET a 1"); returns stdout.
  std::string cli(const std::string& args) const;

private:
  TempDir m_dir;
  std::string m_password;
  pid_t m_pid = 0;
  int m_port = 0;
};

} // namespace lastgood::testing
