#pragma once
// The catalog: one SQLite file, opened with WAL journaling, foreign keys and
// a busy timeout, or a PostgreSQL database (a postgresql:// URI), migrated to
// this binary's schema on open.

#include "catalog/database.hpp"

#include <memory>
#include <string>

namespace lastgood::catalog {

// --catalog, else $LASTGOOD_CATALOG, else $XDG_DATA_HOME/lastgood/catalog.db
// (XDG_DATA_HOME defaults to ~/.local/share). An empty flag means "not given".
std::string resolve_catalog_path(const std::string& flag_value);

// The catalog's path and how it was chosen, for messages that must say both.
struct CatalogLocation
{
  // A file path or a postgresql:// URI, as given (it may hold a password):
  // show shown() instead.
  std::string path;
  std::string chosen_by; // "flag --catalog", "env LASTGOOD_CATALOG", "default
                         // $XDG_DATA_HOME/lastgood/catalog.db"
  // The location without any password, for output.
  std::string shown() const;
};
CatalogLocation locate_catalog(const std::string& flag_value);

// Only commands that set things up (repo add, backup, catalog init) create a missing catalog;
// for every other command a missing catalog is a mistyped path, not an empty one.
enum class IfMissing { Create, Refuse };

class Catalog
{
public:
  // Creates the file (0600, parent directories 0700) if needed and applies
  // pending migrations in one transaction. Throws DatabaseError if the catalog
  // was written by a newer lastgood (it is left untouched).
  static std::unique_ptr<Catalog> open(const std::string& path);
  // As above when asked to create; otherwise a missing file is a UsageError (exit 2)
  // naming the path and how it was chosen. A catalog this user cannot write is opened
  // read-only (no migrations: one that needs them is a DatabaseError, exit 1).
  static std::unique_ptr<Catalog> open(const CatalogLocation& location, IfMissing if_missing);
  // Always an SQLite file, whatever a test maps catalog paths to (the copy a
  // PostgreSQL catalog makes for restore_command must be a file).
  static std::unique_ptr<Catalog> open_file(const std::string& path);

  explicit Catalog(std::unique_ptr<Database> db, int schema_version = 0)
      : m_db(std::move(db)), m_schema_version(schema_version)
  {
  }

  Database& db() { return *m_db; }
  int schema_version() const { return m_schema_version; }
  bool read_only() const { return m_db->read_only(); }

private:
  std::unique_ptr<Database> m_db;
  int m_schema_version = 0;
};

// Applies embedded migrations newer than the catalog's version; returns the
// resulting version. Exposed for tests that migrate step by step.
int migrate(Database& db, int up_to_version = -1);
int current_schema_version(Database& db);

} // namespace lastgood::catalog
