#pragma once
// The SQLite engine of the catalog: one file, WAL journaling, a busy timeout.

#include "catalog/database.hpp"
#include "catalog/database_connection.hpp"

namespace lastgood::catalog {

// Opens (creating when asked, 0600) the SQLite catalog file at `path`.
std::unique_ptr<Connection> open_sqlite(const std::string& path, Database::Mode mode);

} // namespace lastgood::catalog
