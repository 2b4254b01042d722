#pragma once
// Everything a test's catalog stores, as bytes to search (for secrets that
// must not be there, state that must): an SQLite catalog's file and its WAL,
// or — when the suite keeps its catalogs on PostgreSQL — a pg_dump of the
// database standing for that path.

#include <string>

namespace lastgood::testing {

std::string catalog_contents(const std::string& catalog_path);

} // namespace lastgood::testing
