#pragma once
// `lastgood catalog export --to LOCATION`: the whole catalog (backups, runs,
// findings, audit log, everything) copied into an empty catalog on the other
// engine — SQLite into PostgreSQL for a fleet, or back — in one transaction,
// then compared row for row.

#include "catalog/database.hpp"

#include <cstdint>
#include <string>
#include <vector>

namespace lastgood::catalog {

struct ExportedTable
{
  std::string name;
  std::uint64_t rows = 0;
};

struct ExportResult
{
  std::vector<ExportedTable> tables; // in copy order (referenced tables first)
  std::uint64_t rows() const;
};

// Copies every table of `from` into `to`, both migrated to this binary's
// schema, one of them SQLite. `to` must hold no catalog rows yet (nothing is
// ever overwritten). Throws DatabaseError naming the table when the copy
// differs from its source in any row; the copy is then rolled back.
ExportResult export_catalog(Database& from, Database& to);

} // namespace lastgood::catalog
