#pragma once
// Catalog schema migrations: migrations/NNNN_name.sql, embedded at build time.

#include <string_view>
#include <vector>

namespace lastgood::catalog {

struct Migration {
  int version;
  std::string_view name;
  std::string_view sql;
};

// All migrations compiled into this binary, ordered by version.
const std::vector<Migration>& embedded_migrations();

} // namespace lastgood::catalog
