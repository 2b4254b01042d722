#pragma once
// The catalog: one SQLite file, opened with WAL journaling, foreign keys and
// a busy timeout, migrated to this binary's schema on open.

#include <memory>
#include <string>

#include "catalog/sqlite.hpp"

namespace lastgood::catalog {

// --catalog, else $LASTGOOD_CATALOG, else $XDG_DATA_HOME/lastgood/catalog.db
// (XDG_DATA_HOME defaults to ~/.local/share). An empty flag means "not given".
std::string resolve_catalog_path(const std::string& flag_value);

class Catalog {
public:
  // Creates the file (0600, parent directories 0700) if needed and applies
  // pending migrations in one transaction. Throws DatabaseError if the catalog
  // was written by a newer lastgood (it is left untouched).
  static std::unique_ptr<Catalog> open(const std::string& path);

  explicit Catalog(std::unique_ptr<Database> db) : m_db(std::move(db)) {}

  Database& db() { return *m_db; }
  int schema_version() const { return m_schema_version; }

private:
  std::unique_ptr<Database> m_db;
  int m_schema_version = 0;
};

// Applies embedded migrations newer than the catalog's version; returns the
// resulting version. Exposed for tests that migrate step by step.
int migrate(Database& db, int up_to_version = -1);
int current_schema_version(Database& db);

} // namespace lastgood::catalog
