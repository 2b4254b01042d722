#include "catalog/catalog.hpp"

#include "catalog/migrations.hpp"
#include "catalog/postgres_connection.hpp"
#include "catalog/test_catalog_server.hpp"
#include "common/error.hpp"
#include "common/time.hpp"

#include <cstdlib>
#include <filesystem>
#include <unistd.h>

namespace lastgood::catalog {

std::string resolve_catalog_path(const std::string& flag_value)
{
  if (!flag_value.empty()) return flag_value;
  if (const char* env = std::getenv("LASTGOOD_CATALOG"); env && *env) return env;
  std::filesystem::path base;
  if (const char* xdg = std::getenv("XDG_DATA_HOME"); xdg && *xdg)
    base = xdg;
  else if (const char* home = std::getenv("HOME"); home && *home)
    base = std::filesystem::path(home) / ".local/share";
  else
    throw UsageError("cannot place the catalog: set --catalog, LASTGOOD_CATALOG or HOME");
  return (base / "lastgood" / "catalog.db").string();
}

std::string CatalogLocation::shown() const
{
  return is_postgres_location(path) ? uri_without_password(path) : path;
}

CatalogLocation locate_catalog(const std::string& flag_value)
{
  if (!flag_value.empty()) return {flag_value, "flag --catalog"};
  if (const char* env = std::getenv("LASTGOOD_CATALOG"); env && *env)
    return {env, "env LASTGOOD_CATALOG"};
  const char* xdg = std::getenv("XDG_DATA_HOME");
  return {resolve_catalog_path(flag_value), xdg && *xdg
                                                ? "default $XDG_DATA_HOME/lastgood/catalog.db"
                                                : "default ~/.local/share/lastgood/catalog.db"};
}

namespace {

// The catalog's own tables: SQLite's schema table, or PostgreSQL's in the
// connection's schema (a PostgreSQL database may hold other schemas).
Statement tables_named(Database& db, const char* condition)
{
  if (db.engine() == Engine::Postgres)
    return db.prepare(std::string("SELECT table_name FROM information_schema.tables WHERE "
                                  "table_schema = current_schema() AND ") +
                      condition + " LIMIT 1");
  return db.prepare(std::string("SELECT name FROM sqlite_master WHERE type = 'table' AND ") +
                    condition + " LIMIT 1");
}

} // namespace

int current_schema_version(Database& db)
{
  const char* is_migrations = db.engine() == Engine::Postgres ? "table_name = 'schema_migrations'"
                                                              : "name = 'schema_migrations'";
  if (!tables_named(db, is_migrations).step()) return 0;
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
  const bool postgres = db.engine() == Engine::Postgres;
  if (postgres && version == 0) db.exec(postgres_compat_sql());
  for (const auto& m : migrations) {
    if (m.version <= version) continue;
    if (up_to_version >= 0 && m.version > up_to_version) break;
    db.exec(postgres ? postgres_migration_sql(m) : std::string(m.sql));
    db.prepare("INSERT INTO schema_migrations (version, name, applied_at) VALUES (?, ?, ?)")
        .bind_all(m.version, m.name, format_rfc3339(now_seconds()))
        .run();
    version = m.version;
  }
  tx.commit();
  return version;
}

namespace {

int newest_known_version()
{
  const auto& migrations = embedded_migrations();
  return migrations.empty() ? 0 : migrations.back().version;
}

void refuse_newer(Database& db)
{
  if (int found = current_schema_version(db); found > newest_known_version())
    throw DatabaseError("catalog " + db.path() + " has schema version " + std::to_string(found) +
                            ", written by a newer lastgood (this one knows up to " +
                            std::to_string(newest_known_version()) +
                            "); it was not modified. Upgrade lastgood to use it.",
                        kExitUsage);
}

// An SQLite file holding other tables but no migration record is someone else's database.
void refuse_foreign(Database& db)
{
  if (current_schema_version(db) > 0) return;
  auto other =
      tables_named(db, db.engine() == Engine::Postgres ? "table_name <> 'schema_migrations'"
                                                       : "name <> 'schema_migrations'");
  if (other.step())
    throw DatabaseError(
        "catalog " + db.path() +
            (db.engine() == Engine::Postgres ? " is a PostgreSQL" : " is an SQLite") +
            " database but not a lastgood catalog (it holds table " + other.text(0) +
            " and no schema_migrations); pass --catalog with the catalog's path",
        kExitUsage);
}

bool writable(const std::string& path)
{
  auto parent = std::filesystem::path(path).parent_path();
  // WAL journaling writes -wal and -shm files beside the catalog.
  return ::access(path.c_str(), W_OK) == 0 &&
         ::access(parent.empty() ? "." : parent.c_str(), W_OK | X_OK) == 0;
}

} // namespace

namespace {

// A PostgreSQL catalog lives in a database its administrator made; "missing"
// means that database holds no catalog yet.
std::unique_ptr<Catalog> open_postgres_catalog(const CatalogLocation& location,
                                               IfMissing if_missing, bool read_only = false)
{
  auto db = std::make_unique<Database>(location.path, read_only ? Database::Mode::ReadOnly
                                                                : Database::Mode::ReadWrite);
  // A catalog at this binary's version needs nothing: no writer lock, so a
  // command that only reads never waits behind another host's write.
  if (current_schema_version(*db) == newest_known_version())
    return std::make_unique<Catalog>(std::move(db), newest_known_version());
  if (read_only)
    throw DatabaseError("catalog " + db->path() + " has schema version " +
                        std::to_string(current_schema_version(*db)) + " and needs migrating to " +
                        std::to_string(newest_known_version()) +
                        ", but this user can only read it; run lastgood once as a user who can "
                        "write it (e.g. `lastgood catalog init`)");
  {
    // Under the writer lock: another host's first migration is either all
    // there or not begun, never half-seen as someone else's tables.
    Transaction tx(*db);
    refuse_newer(*db);
    refuse_foreign(*db);
    tx.commit();
  }
  if (if_missing == IfMissing::Refuse && current_schema_version(*db) == 0)
    throw UsageError("no catalog in " + db->path() + " (from " + location.chosen_by +
                     "); create it with `lastgood catalog init` or `lastgood repo add`, or pass "
                     "--catalog with the catalog's location");
  const int version = migrate(*db);
  return std::make_unique<Catalog>(std::move(db), version);
}

} // namespace

std::unique_ptr<Catalog> Catalog::open(const CatalogLocation& location, IfMissing if_missing)
{
  if (is_postgres_location(location.path)) return open_postgres_catalog(location, if_missing);
  const auto& path = location.path;
  std::error_code ec;
  const bool exists = std::filesystem::exists(path, ec);
  if (!exists && if_missing == IfMissing::Create) return open(path);
  if (!exists)
    throw UsageError(
        "no catalog at " + path + " (path from " + location.chosen_by +
        "); create it with `lastgood catalog init` or `lastgood repo add`, or pass --catalog with "
        "the catalog's path");
  if (auto on_server = catalog_on_test_server(path))
    return open_postgres_catalog({*on_server, location.chosen_by}, IfMissing::Create,
                                 !writable(path));
  if (writable(path)) return open(path);
  auto db = std::make_unique<Database>(path, Database::Mode::ReadOnly);
  refuse_newer(*db);
  refuse_foreign(*db);
  if (int found = current_schema_version(*db); found < newest_known_version())
    throw DatabaseError(
        "catalog " + path + " has schema version " + std::to_string(found) +
        " and needs migrating to " + std::to_string(newest_known_version()) +
        ", but this user can only read it; run lastgood once as a user who can write it "
        "(e.g. `lastgood catalog init`)");
  auto catalog = std::make_unique<Catalog>(std::move(db));
  catalog->m_schema_version = newest_known_version();
  return catalog;
}

std::unique_ptr<Catalog> Catalog::open(const std::string& path)
{
  if (is_postgres_location(path))
    return open_postgres_catalog({path, "its caller"}, IfMissing::Create);
  if (auto on_server = catalog_on_test_server(path))
    return open_postgres_catalog({*on_server, "its caller"}, IfMissing::Create);
  return open_file(path);
}

std::unique_ptr<Catalog> Catalog::open_file(const std::string& path)
{
  namespace fs = std::filesystem;
  fs::path parent = fs::path(path).parent_path();
  if (!parent.empty() && !fs::exists(parent)) {
    std::error_code ec;
    fs::create_directories(parent, ec);
    if (ec)
      throw DatabaseError("cannot create catalog directory " + parent.string() + ": " +
                          ec.message());
    fs::permissions(parent, fs::perms::owner_all, ec);
  }
  auto db = std::make_unique<Database>(path, true);
  db->exec("PRAGMA foreign_keys = ON");
  // Refuse a newer catalog, or someone else's database, before anything (even the journal mode) is
  // written.
  refuse_newer(*db);
  refuse_foreign(*db);
  db->prepare("PRAGMA journal_mode = WAL").run();
  db->exec("PRAGMA synchronous = NORMAL");
  auto catalog = std::make_unique<Catalog>(std::move(db));
  catalog->m_schema_version = migrate(catalog->db());
  return catalog;
}

} // namespace lastgood::catalog
