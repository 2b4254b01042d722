// Finding programs: PATH search, PostgreSQL's bin directories, and the message
// for a program that is nowhere (declared in pg/child_process.hpp).

#include "common/error.hpp"
#include "pg/child_process.hpp"

#include <algorithm>
#include <cctype>
#include <cstdlib>
#include <filesystem>
#include <map>
#include <mutex>
#include <optional>
#include <set>
#include <sys/stat.h>
#include <unistd.h>

namespace lastgood::pg {
namespace {

bool is_executable_file(const std::string& path)
{
  struct stat st;
  return ::stat(path.c_str(), &st) == 0 && S_ISREG(st.st_mode) && ::access(path.c_str(), X_OK) == 0;
}

std::string env_or_empty(const char* name)
{
  const char* value = std::getenv(name);
  return value ? value : "";
}

// `pg_config --bindir`, asked once; "" when there is no pg_config on PATH.
std::string pg_config_bindir()
{
  std::string pg_config = search_path("pg_config", env_or_empty("PATH"));
  if (pg_config.empty()) return "";
  ProcessResult r =
      run_process({.argv = {pg_config, "--bindir"}, .timeout = std::chrono::seconds(10)});
  if (r.exit_code != 0) return "";
  while (!r.out.empty() && std::isspace(static_cast<unsigned char>(r.out.back())))
    r.out.pop_back();
  return r.out;
}

// /usr/lib/postgresql/<version>/bin, newest version first.
std::vector<std::string> debian_bindirs()
{
  std::vector<std::pair<std::vector<int>, std::string>> versions;
  std::error_code ec;
  for (const auto& entry : std::filesystem::directory_iterator("/usr/lib/postgresql", ec)) {
    std::string v = entry.path().filename().string();
    std::vector<int> parts;
    for (std::size_t i = 0; i < v.size() && std::isdigit(static_cast<unsigned char>(v[i]));) {
      std::size_t j = std::min(v.find_first_not_of("0123456789", i), v.size());
      parts.push_back(std::atoi(v.substr(i, j - i).c_str()));
      i = j + 1;
    }
    if (!parts.empty()) versions.emplace_back(parts, entry.path().string() + "/bin");
  }
  std::sort(versions.rbegin(), versions.rend());
  std::vector<std::string> dirs;
  for (auto& v : versions)
    dirs.push_back(std::move(v.second));
  return dirs;
}

} // namespace

std::string search_path(std::string_view name, std::string_view directories)
{
  std::size_t start = 0;
  while (start <= directories.size()) {
    std::size_t end = std::min(directories.find(':', start), directories.size());
    std::string dir(directories.substr(start, end - start));
    std::string candidate = (dir.empty() ? std::string(".") : dir) + "/" + std::string(name);
    if (is_executable_file(candidate)) return candidate;
    start = end + 1;
  }
  return "";
}

std::string missing_program_message(std::string_view name)
{
  static const std::set<std::string, std::less<>> server = {
      "initdb",       "pg_ctl",     "postgres",  "postmaster", "pg_controldata",   "pg_resetwal",
      "pg_checksums", "pg_upgrade", "pg_rewind", "pg_waldump", "pg_archivecleanup"};
  std::string n(name);
  if (server.count(name))
    return n + " not found: install the PostgreSQL server package (postgresql) or set "
               "LASTGOOD_PG_BINDIR to its bin directory";
  if (n.starts_with("pg_") || n == "psql")
    return n + " not found: install postgresql-client or put it on PATH";
  return n + " not found on PATH: install it or put it on PATH";
}

std::string find_pg_program(std::string_view name)
{
  if (name.empty() || name.find('/') != std::string_view::npos)
    throw Error("find_pg_program: '" + std::string(name) + "' is not a program name");
  static std::mutex mutex;
  static std::map<std::string, std::string> cache;
  static std::optional<std::string> pg_config_dir;
  std::string env_dir = env_or_empty("LASTGOOD_PG_BINDIR");
  std::string key = env_dir + '\n' + std::string(name);
  std::lock_guard lock(mutex);
  if (auto it = cache.find(key); it != cache.end()) return it->second;

  std::vector<std::string> dirs;
  if (!env_dir.empty()) dirs.push_back(env_dir);
  if (!pg_config_dir) pg_config_dir = pg_config_bindir();
  if (!pg_config_dir->empty()) dirs.push_back(*pg_config_dir);
  for (auto& d : debian_bindirs())
    dirs.push_back(std::move(d));
  for (const auto& dir : dirs)
    if (std::string candidate = dir + "/" + std::string(name); is_executable_file(candidate))
      return cache[key] = candidate;
  std::string found = search_path(name, env_or_empty("PATH"));
  if (found.empty()) throw Error(missing_program_message(name));
  return cache[key] = found;
}

} // namespace lastgood::pg
