#include "catalog/repositories.hpp"

#include "catalog/audit.hpp"
#include "catalog/backup_builder.hpp"
#include "catalog/dump_database_name.hpp"
#include "common/error.hpp"
#include "common/redact.hpp"
#include "common/time.hpp"

#include <regex>

namespace lastgood::catalog {

namespace {

constexpr const char* kSelect = "SELECT id, name, url, created_at, source, database_from_name, "
                                "format, stanza FROM repositories";

Repository row_to_repository(Statement& s)
{
  return Repository{s.int64(0),    s.text(1),     s.text(2),     s.text(3),
                    s.opt_text(4), s.opt_text(5), s.opt_text(6), s.opt_text(7)};
}

RepositorySettings checked(const RepositorySettings& settings, const std::string& repository)
{
  RepositorySettings out;
  if (settings.source)
    out.source = parse_source_name(*settings.source, "source of repository '" + repository + "'");
  if (settings.database_from_name && !settings.database_from_name->empty()) {
    check_database_from_name(*settings.database_from_name,
                             "database_from_name of repository '" + repository + "'");
    out.database_from_name = settings.database_from_name;
  }
  out.format = settings.format;
  out.stanza = settings.stanza;
  return out;
}

nlohmann::json settings_json(const RepositorySettings& s)
{
  nlohmann::json out = {{"source", s.source ? nlohmann::json(*s.source) : nlohmann::json()},
                        {"database_from_name", s.database_from_name
                                                   ? nlohmann::json(*s.database_from_name)
                                                   : nlohmann::json()}};
  if (s.format) out["format"] = *s.format;
  if (s.stanza) out["stanza"] = *s.stanza;
  return out;
}

} // namespace

std::string source_label(const std::optional<std::string>& source)
{
  return source ? *source : kDefaultSource;
}

std::optional<std::string> parse_source_name(const std::string& name, const std::string& where)
{
  if (name.empty() || name == kDefaultSource) return std::nullopt;
  static const std::regex valid("[A-Za-z0-9][A-Za-z0-9_.-]{0,62}");
  if (!std::regex_match(name, valid))
    throw UsageError(where + " '" + name +
                     "' is not a source name: use letters, digits, '.', '_' and '-' (at most 63 "
                     "characters, no '/'), e.g. prod-eu");
  return name;
}

Repository add_repository(Database& db, const std::string& name, const std::string& url,
                          const RepositorySettings& given)
{
  static const std::regex valid_name("[A-Za-z0-9][A-Za-z0-9_.-]{0,62}");
  if (!std::regex_match(name, valid_name))
    throw UsageError("invalid repository name '" + name +
                     "': use letters, digits, '.', '_' and '-' (at most 63 characters)");
  const RepositorySettings settings = checked(given, name);
  Transaction tx(db);
  if (find_repository(db, name))
    throw UsageError("repository '" + name +
                     "' already exists; remove it first or pick another name");
  const std::string safe_url = redact(url);
  const std::string now = format_rfc3339(now_seconds());
  db.prepare("INSERT INTO repositories (name, url, created_at, source, database_from_name, format,"
             " stanza) VALUES (?, ?, ?, ?, ?, ?, ?)")
      .bind_all(name, safe_url, now, settings.source, settings.database_from_name, settings.format,
                settings.stanza)
      .run();
  const std::int64_t id = db.last_insert_id();
  Repository repo{id,
                  name,
                  safe_url,
                  now,
                  settings.source,
                  settings.database_from_name,
                  settings.format,
                  settings.stanza};
  auto detail = settings_json(settings);
  detail["url"] = safe_url;
  write_audit(db, "repo.add", name, Severity::Info, detail);
  tx.commit();
  return repo;
}

Repository register_configured_repository(Database& db, const RepositoryConfig& config)
{
  RepositorySettings given;
  if (!config.source.empty()) given.source = config.source;
  if (!config.database_from_name.empty()) given.database_from_name = config.database_from_name;
  auto existing = find_repository(db, config.name);
  if (!existing) return add_repository(db, config.name, config.url, given);
  const RepositorySettings wanted = checked(given, config.name);
  RepositorySettings now{existing->source, existing->database_from_name, existing->format,
                         existing->stanza};
  // "default" in the file is a choice too: it clears a stored source.
  if (!config.source.empty()) now.source = wanted.source;
  if (wanted.database_from_name) now.database_from_name = wanted.database_from_name;
  if (now.source == existing->source && now.database_from_name == existing->database_from_name)
    return *existing;
  Transaction tx(db);
  write_audit(db, "repo.settings", config.name, Severity::Info, settings_json(now));
  db.prepare("UPDATE repositories SET source = ?, database_from_name = ? WHERE id = ?")
      .bind_all(now.source, now.database_from_name, existing->id)
      .run();
  // Backups derive from the catalog alone: re-scope and rename them now, not
  // at a scan that may find no changed object and so rebuild nothing.
  build_backups(db, existing->id, format_rfc3339(now_seconds()));
  tx.commit();
  existing->source = now.source;
  existing->database_from_name = now.database_from_name;
  return *existing;
}

std::vector<Repository> list_repositories(Database& db)
{
  auto s = db.prepare(std::string(kSelect) + " WHERE removed_at IS NULL ORDER BY name");
  std::vector<Repository> out;
  while (s.step())
    out.push_back(row_to_repository(s));
  return out;
}

std::optional<Repository> find_repository(Database& db, const std::string& name)
{
  auto s = db.prepare(std::string(kSelect) + " WHERE name = ? AND removed_at IS NULL");
  s.bind(1, name);
  if (!s.step()) return std::nullopt;
  return row_to_repository(s);
}

std::optional<std::string> repository_url(Database& db, std::int64_t repository_id)
{
  auto s = db.prepare("SELECT url FROM repositories WHERE id = ?");
  s.bind(1, repository_id);
  if (!s.step()) return std::nullopt;
  return s.text(0);
}

void remove_repository(Database& db, const std::string& name)
{
  Transaction tx(db);
  auto repo = find_repository(db, name);
  if (!repo) throw UsageError("no repository named '" + name + "' (see 'lastgood repo list')");
  write_audit(db, "repo.remove", name, Severity::Info, {{"url", repo->url}});
  db.prepare("UPDATE repositories SET removed_at = ? WHERE id = ?")
      .bind_all(format_rfc3339(now_seconds()), repo->id)
      .run();
  tx.commit();
}

std::vector<Repository>
repositories_to_scan(Database& db, const std::function<std::vector<RepositoryConfig>()>& configured,
                     const std::vector<std::string>& names)
{
  if (names.empty()) {
    for (const auto& r : configured())
      register_configured_repository(db, r);
    auto all = list_repositories(db);
    if (all.empty())
      throw UsageError("no repositories registered: add one with 'lastgood repo add NAME URL' "
                       "or a [[repository]] in the configuration file");
    return all;
  }
  std::vector<Repository> out;
  for (const auto& name : names) {
    std::optional<Repository> repo;
    // The file's settings (source, database_from_name) win over stored ones.
    for (const auto& r : configured())
      if (r.name == name) repo = register_configured_repository(db, r);
    if (!repo) repo = find_repository(db, name);
    if (!repo) throw UsageError("no repository named '" + name + "' (see 'lastgood repo list')");
    out.push_back(*repo);
  }
  return out;
}

} // namespace lastgood::catalog
