#pragma once
// Catalog schema migrations: migrations/NNNN_name.sql, embedded at build time.
// Both engines apply the same numbered migrations. PostgreSQL runs the same
// text with SQLite's type names mapped to its own (postgres_migration_sql),
// or migrations/postgresql/NNNN_name.sql where the text cannot be shared, and
// then migrations/postgresql/NNNN_name.after.sql where one exists.

#include <string>
#include <string_view>
#include <vector>

namespace lastgood::catalog {

struct Migration
{
  int version;
  std::string_view name;
  std::string_view sql;
  std::string_view postgres_sql;   // empty: the shared text, mapped
  std::string_view postgres_after; // run after it on PostgreSQL; may be empty
};

// All migrations compiled into this binary, ordered by version.
const std::vector<Migration>& embedded_migrations();

// migrations/postgresql/sqlite_compat.sql: the SQLite functions the catalog's
// queries use, made on PostgreSQL before its first migration.
std::string_view postgres_compat_sql();

// The migration as PostgreSQL runs it: INTEGER → BIGINT (SQLite's integers
// are 64-bit), INTEGER PRIMARY KEY → an identity column, REAL → DOUBLE PRECISION,
// TEXT → TEXT COLLATE "C" (bytewise, as SQLite compares).
std::string postgres_migration_sql(const Migration& migration);

} // namespace lastgood::catalog
