#include "catalog/repositories.hpp"

#include <regex>

#include "catalog/audit.hpp"
#include "common/error.hpp"
#include "common/redact.hpp"
#include "common/time.hpp"

namespace lastgood::catalog {

namespace {

Repository row_to_repository(Statement& s)
{
  return Repository{s.int64(0), s.text(1), s.text(2), s.text(3)};
}

} // namespace

Repository add_repository(Database& db, const std::string& name, const std::string& url)
{
  static const std::regex valid_name("[A-Za-z0-9][A-Za-z0-9_.-]{0,62}");
  if (!std::regex_match(name, valid_name))
    throw UsageError("invalid repository name '" + name +
                     "': use letters, digits, '.', '_' and '-' (at most 63 characters)");
  Transaction tx(db);
  if (find_repository(db, name))
    throw UsageError("repository '" + name + "' already exists; remove it first or pick another name");
  const std::string safe_url = redact(url);
  const std::string now = format_rfc3339(now_seconds());
  db.prepare("INSERT INTO repositories (name, url, created_at) VALUES (?, ?, ?)")
      .bind_all(name, safe_url, now)
      .run();
  Repository repo{db.last_insert_id(), name, safe_url, now};
  write_audit(db, "repo.add", name, Severity::Info, {{"url", safe_url}});
  tx.commit();
  return repo;
}

std::vector<Repository> list_repositories(Database& db)
{
  auto s = db.prepare("SELECT id, name, url, created_at FROM repositories"
                      " WHERE removed_at IS NULL ORDER BY name");
  std::vector<Repository> out;
  while (s.step()) out.push_back(row_to_repository(s));
  return out;
}

std::optional<Repository> find_repository(Database& db, const std::string& name)
{
  auto s = db.prepare("SELECT id, name, url, created_at FROM repositories"
                      " WHERE name = ? AND removed_at IS NULL");
  s.bind(1, name);
  if (!s.step()) return std::nullopt;
  return row_to_repository(s);
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
      if (!find_repository(db, r.name)) add_repository(db, r.name, r.url);
    auto all = list_repositories(db);
    if (all.empty())
      throw UsageError("no repositories registered: add one with 'lastgood repo add NAME URL' "
                       "or a [[repository]] in the configuration file");
    return all;
  }
  std::vector<Repository> out;
  for (const auto& name : names) {
    auto repo = find_repository(db, name);
    if (!repo)
      for (const auto& r : configured())
        if (r.name == name) repo = add_repository(db, r.name, r.url);
    if (!repo) throw UsageError("no repository named '" + name + "' (see 'lastgood repo list')");
    out.push_back(*repo);
  }
  return out;
}

} // namespace lastgood::catalog
