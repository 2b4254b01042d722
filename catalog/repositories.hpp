#pragma once
// Registered repositories: where backups live.

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "catalog/sqlite.hpp"

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

} // namespace lastgood::catalog
