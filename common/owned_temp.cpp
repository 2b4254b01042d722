#include "common/owned_temp.hpp"

#include "common/error.hpp"

#include <cerrno>
#include <csignal>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <sys/stat.h>
#include <unistd.h>

namespace lastgood {

namespace fs = std::filesystem;

bool process_alive(pid_t pid)
{
  if (pid <= 0) return false;
  if (::kill(pid, 0) != 0 && errno == ESRCH) return false;
  std::ifstream stat("/proc/" + std::to_string(pid) + "/stat");
  std::string line;
  if (!std::getline(stat, line)) return !fs::exists("/proc/self"); // no /proc: trust kill()
  auto paren = line.rfind(')');
  return !(paren != std::string::npos && paren + 2 < line.size() && line[paren + 2] == 'Z');
}

std::string host_tag()
{
  char name[256] = {};
  ::gethostname(name, sizeof name - 1);
  std::uint32_t hash = 2166136261u; // FNV-1a
  for (const char* c = name; *c; ++c)
    hash = (hash ^ static_cast<unsigned char>(*c)) * 16777619u;
  char text[9];
  std::snprintf(text, sizeof text, "%08x", hash);
  return text;
}

std::string temp_base_dir()
{
  const char* tmp = std::getenv("TMPDIR");
  return tmp && *tmp ? tmp : "/tmp";
}

std::string make_owned_temp_dir(std::string_view kind)
{
  std::string base = temp_base_dir();
  std::string pattern =
      base + "/lastgood-" + std::string(kind) + "-" + std::to_string(::getpid()) + "-XXXXXX";
  if (!::mkdtemp(pattern.data()))
    throw Error("cannot create a temporary directory in " + base + ": " + std::strerror(errno) +
                "; set TMPDIR to a writable place with room for it");
  return pattern;
}

std::vector<OwnedTempDir> find_owned_temp_dirs(const std::string& base,
                                               const std::vector<std::string>& kinds)
{
  std::vector<OwnedTempDir> found;
  std::error_code ec;
  for (const auto& entry : fs::directory_iterator(base, ec)) {
    std::string name = entry.path().filename().string();
    for (const auto& kind : kinds) {
      std::string prefix = "lastgood-" + kind + "-";
      if (!name.starts_with(prefix)) continue;
      std::string rest = name.substr(prefix.size());
      std::size_t digits = rest.find_first_not_of("0123456789");
      // "<pid>-XXXXXX": mkdtemp's six characters after the pid
      if (digits == 0 || digits > 9 || digits == std::string::npos || rest[digits] != '-' ||
          rest.size() != digits + 7)
        continue;
      struct stat st;
      if (::lstat(entry.path().c_str(), &st) != 0 || !S_ISDIR(st.st_mode)) continue;
      found.push_back(
          {entry.path().string(), kind, static_cast<pid_t>(std::stol(rest.substr(0, digits)))});
    }
  }
  return found;
}

} // namespace lastgood
