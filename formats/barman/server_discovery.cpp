#include "formats/barman/server_discovery.hpp"

#include "common/error.hpp"

#include <set>
#include <string_view>

namespace lastgood::formats::barman {

namespace {

// "wals/xlog.db", "base/<id>/backup.info" or "meta/<id>-backup.info".
bool marks_server(std::string_view relative)
{
  if (relative == "wals/xlog.db") return true;
  if (relative.starts_with("base/") && relative.ends_with("/backup.info")) {
    auto id = relative.substr(5, relative.size() - 5 - 12);
    return !id.empty() && id.find('/') == std::string_view::npos;
  }
  if (relative.starts_with("meta/") && relative.ends_with("-backup.info"))
    return relative.find('/', 5) == std::string_view::npos;
  return false;
}

void ignore_problem(const storage::ListProblem&) {}

} // namespace

bool is_server_directory(storage::Storage& storage)
{
  if (storage.stat("wals/xlog.db")) return true;
  bool found = false;
  for (std::string_view dir : {"base/", "meta/"}) {
    try {
      storage.list(
          dir, [&](const storage::ObjectInfo& info) { found = found || marks_server(info.key); },
          ignore_problem);
    } catch (const StorageError&) {
      // no such directory
    }
    if (found) return true;
  }
  return false;
}

std::vector<std::string> list_servers(storage::Storage& storage)
{
  std::set<std::string> servers;
  try {
    storage.list(
        "",
        [&](const storage::ObjectInfo& info) {
          std::string_view key = info.key;
          auto slash = key.find('/');
          if (slash == std::string_view::npos || slash == 0) return;
          if (marks_server(key.substr(slash + 1))) servers.emplace(key.substr(0, slash));
        },
        ignore_problem);
  } catch (const StorageError&) {
    return {};
  }
  return {servers.begin(), servers.end()};
}

} // namespace lastgood::formats::barman
