#pragma once
// A node script run as a child process for the tests (s3rver, the fault
// proxy): started with a pipe on its stdin (it stops when that closes) and
// its first stdout line captured; stopped (SIGTERM, waited for) on
// destruction. Throws with a clear message when node is missing or the
// script prints nothing.

#include <string>
#include <sys/types.h>
#include <vector>

namespace lastgood::testing {

class NodeProcess
{
public:
  NodeProcess(const std::vector<std::string>& arguments, const std::string& what);
  ~NodeProcess();
  NodeProcess(const NodeProcess&) = delete;
  NodeProcess& operator=(const NodeProcess&) = delete;

  const std::string& first_line() const { return m_line; }
  // The value of "name=value" in the first line, up to the next space.
  std::string field(const std::string& name) const;

private:
  void stop();

  pid_t m_pid = -1;
  int m_stdin = -1;
  std::string m_line;
};

} // namespace lastgood::testing
