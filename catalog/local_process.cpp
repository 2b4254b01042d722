#include "catalog/local_process.hpp"

#include <cerrno>
#include <fstream>
#include <signal.h>
#include <sstream>
#include <unistd.h>

namespace lastgood::catalog {

std::string this_host()
{
  char name[256] = {};
  if (::gethostname(name, sizeof name - 1) != 0) return "localhost";
  return name;
}

std::optional<std::int64_t> process_start_time(std::int64_t pid)
{
  std::ifstream stat("/proc/" + std::to_string(pid) + "/stat");
  std::string text((std::istreambuf_iterator<char>(stat)), std::istreambuf_iterator<char>());
  // Fields after "(comm)": state is field 3, starttime field 22.
  const auto close = text.rfind(')');
  if (close == std::string::npos) return std::nullopt;
  std::istringstream fields(text.substr(close + 1));
  std::string field;
  for (int i = 3; i <= 22; ++i)
    if (!(fields >> field)) return std::nullopt;
  try {
    return std::stoll(field);
  } catch (const std::exception&) {
    return std::nullopt;
  }
}

std::string this_process()
{
  const auto pid = static_cast<std::int64_t>(::getpid());
  std::string id = this_host() + ":" + std::to_string(pid);
  if (auto start = process_start_time(pid)) id += ":" + std::to_string(*start);
  return id;
}

bool is_dead_local_process(const std::string& host, std::int64_t pid)
{
  if (host != this_host() || pid <= 0 || pid == ::getpid()) return false;
  // EPERM: it exists, under another user.
  return ::kill(static_cast<pid_t>(pid), 0) != 0 && errno == ESRCH;
}

bool holder_is_dead(const std::string& holder)
{
  // host:pid[:start]; a host name holds no ':'.
  const auto first = holder.find(':');
  if (first == std::string::npos) return false;
  const auto second = holder.find(':', first + 1);
  try {
    const std::string host = holder.substr(0, first);
    const auto pid = std::stoll(holder.substr(first + 1, second - first - 1));
    if (is_dead_local_process(host, pid)) return true;
    if (second == std::string::npos || host != this_host() || pid == ::getpid()) return false;
    const auto start = process_start_time(pid);
    return start && *start != std::stoll(holder.substr(second + 1));
  } catch (const std::exception&) {
    return false; // not ours to judge
  }
}

} // namespace lastgood::catalog
