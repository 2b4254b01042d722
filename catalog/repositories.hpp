#pragma once
// Registered repositories: where backups live.

#include "catalog/sqlite.hpp"
#include "common/config.hpp"

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <vector>

namespace lastgood::catalog {

struct Repository {
  std::int64_t id = 0;
  std::string name;
  std::string url;
  std::string created_at;
};

// Registers NAME at URL (stored with credentials removed). Throws UsageError
// if the name is taken or invalid. Audited.
Repository add_repository(Database& db, const std::string& name, const std::string& url);
std::vector<Repository> list_repositories(Database& db);
std::optional<Repository> find_repository(Database& db, const std::string& name);
// Marks the repository removed; its objects, backups and history stay. Audited.
void remove_repository(Database& db, const std::string& name);

// What `scan` and `run` scan: the repositories named (registered, or from the
// configuration file, which registers them), or with no names every
// registered one after registering the configured ones. Throws UsageError
// for an unknown name or when there is no repository at all. configured is
// called only when needed: scanning a registered repository by name works
// for a user who cannot read the configuration file.
std::vector<Repository>
repositories_to_scan(Database& db, const std::function<std::vector<RepositoryConfig>()>& configured,
                     const std::vector<std::string>& names);

} // namespace lastgood::catalog
