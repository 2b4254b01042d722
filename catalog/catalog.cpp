#include "catalog/catalog.hpp"

#include <cstdlib>
#include <filesystem>

#include "catalog/migrations.hpp"
#include "common/error.hpp"
#include "common/time.hpp"

namespace lastgood::catalog {

std::string resolve_catalog_path(const std::string& flag_value)
{
  if (!flag_value.empty()) return flag_value;
  if (const char* env = std::getenv("LASTGOOD_CATALOG"); env && *env) return env;
  std::filesystem::path base;
  if (const char* xdg = std::getenv("XDG_DATA_HOME"); xdg && *xdg) base = xdg;
  else if (const char* home = std::getenv("HOME"); home && *home) base = std::filesystem::path(home) / ".local/share";
  else throw UsageError("cannot place the catalog: set --catalog, LASTGOOD_CATALOG or HOME");
  return (base / "lastgood" / "catalog.db").string();
}

int current_schema_version(Database& db)
{
  auto exists = db.prepare("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'schema_migrations'");
  if (!exists.step()) return 0;
  auto max = db.prepare("SELECT coalesce(max(version), 0) FROM schema_migrations");
  max.step();
  return static_cast<int>(max.int64(0));
}

int migrate(Database& db, int up_to_version)
{
  const auto& migrations = embedded_migrations();
  const int newest_known = migrations.empty() ? 0 : migrations.back().version;
  Transaction tx(db);
  db.exec("CREATE TABLE IF NOT EXISTS schema_migrations ("
          " version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at TEXT NOT NULL)");
  int version = current_schema_version(db);
  if (version > newest_known)
    throw DatabaseError("catalog " + db.path() + " has schema version " + std::to_string(version) +
                            ", newer than this lastgood knows (" + std::to_string(newest_known) +
                            "); it was not modified. Upgrade lastgood to use it.",
                        kExitUsage);
  for (const auto& m : migrations) {
    if (m.version <= version) continue;
    if (up_to_version >= 0 && m.version > up_to_version) break;
    db.exec(m.sql);
    db.prepare("INSERT INTO schema_migrations (version, name, applied_at) VALUES (?, ?, ?)")
        .bind_all(m.version, m.name, format_rfc3339(now_seconds()))
        .run();
    version = m.version;
  }
  tx.commit();
  return version;
}

std::unique_ptr<Catalog> Catalog::open(const std::string& path)
{
  namespace fs = std::filesystem;
  fs::path parent = fs::path(path).parent_path();
  if (!parent.empty() && !fs::exists(parent)) {
    std::error_code ec;
    fs::create_directories(parent, ec);
    if (ec) throw DatabaseError("cannot create catalog directory " + parent.string() + ": " + ec.message());
    fs::permissions(parent, fs::perms::owner_all, ec);
  }
  auto db = std::make_unique<Database>(path, true);
  db->exec("PRAGMA foreign_keys = ON");
  // Refuse a newer catalog before anything (even the journal mode) is written.
  const int newest_known = embedded_migrations().empty() ? 0 : embedded_migrations().back().version;
  if (int found = current_schema_version(*db); found > newest_known)
    throw DatabaseError("catalog " + path + " has schema version " + std::to_string(found) +
                            ", written by a newer lastgood (this one knows up to " +
                            std::to_string(newest_known) +
                            "); it was not modified. Upgrade lastgood to use it.",
                        kExitUsage);
  db->prepare("PRAGMA journal_mode = WAL").run();
  db->exec("PRAGMA synchronous = NORMAL");
  auto catalog = std::make_unique<Catalog>(std::move(db));
  catalog->m_schema_version = migrate(catalog->db());
  return catalog;
}

} // namespace lastgood::catalog
