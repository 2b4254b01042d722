#include "catalog/local_process.hpp"

#include <cerrno>
#include <signal.h>
#include <unistd.h>

namespace lastgood::catalog {

std::string this_host()
{
  char name[256] = {};
  if (::gethostname(name, sizeof name - 1) != 0) return "localhost";
  return name;
}

std::string this_process()
{
  return this_host() + ":" + std::to_string(::getpid());
}

bool is_dead_local_process(const std::string& host, std::int64_t pid)
{
  if (host != this_host() || pid <= 0 || pid == ::getpid()) return false;
  // EPERM: it exists, under another user.
  return ::kill(static_cast<pid_t>(pid), 0) != 0 && errno == ESRCH;
}

} // namespace lastgood::catalog
