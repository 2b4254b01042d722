#pragma once
// Registered repositories: where backups live.

#include "catalog/database.hpp"
#include "common/config.hpp"

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <vector>

namespace lastgood::catalog {

struct Repository
{
  std::int64_t id = 0;
  std::string name;
  std::string url;
  std::string created_at;
  // The server its backups come from (nullopt: the default source), and the
  // regex naming its dumps' databases (nullopt: the convention).
  std::optional<std::string> source;
  std::optional<std::string> database_from_name;
  // Another tool's repository ("pgbackrest"; nullopt: files as they come) and its stanza.
  std::optional<std::string> format;
  std::optional<std::string> stanza;
};

// What a repository says about its backups (docs/sources.md).
struct RepositorySettings
{
  std::optional<std::string> source;
  std::optional<std::string> database_from_name;
  std::optional<std::string> format; // see catalog/repository_format.hpp
  std::optional<std::string> stanza;
};

// The name shown for a backup's source: its name, or "default".
inline constexpr const char* kDefaultSource = "default";
std::string source_label(const std::optional<std::string>& source);
// A source name as given (`--source`, `source =`): nullopt for "default" or
// empty. Throws UsageError for a name that cannot be one (`where` names the setting).
std::optional<std::string> parse_source_name(const std::string& name, const std::string& where);

// Registers NAME at URL (stored with credentials removed). Throws UsageError
// if the name is taken or invalid, or a setting is. Audited.
Repository add_repository(Database& db, const std::string& name, const std::string& url,
                          const RepositorySettings& settings = {});
// A [[repository]] of the configuration file: registered when new; when
// registered already, the file's source and database_from_name (those it
// sets) replace the stored ones (audited) and its backups are re-derived at
// once with the new source and names. Returns the repository as stored now.
Repository register_configured_repository(Database& db, const RepositoryConfig& config);
std::vector<Repository> list_repositories(Database& db);
std::optional<Repository> find_repository(Database& db, const std::string& name);
// The stored URL of a repository by row id, removed or not.
std::optional<std::string> repository_url(Database& db, std::int64_t repository_id);
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
