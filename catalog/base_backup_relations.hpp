#pragma once
// A table's identity as a base backup's own pg_class had it (read from a
// test-restored copy; table base_backup_relations, migration 0017), so the
// backup is restored for that name once.

#include "catalog/database.hpp"

#include <cstdint>
#include <optional>
#include <string>

namespace lastgood::catalog {

struct BackupRelation
{
  bool found = false; // false: the backup has no such table (or database)
  // Also when not found, if the database exists (0: unknown).
  std::uint32_t database_oid = 0;
  std::uint32_t relation_oid = 0, tablespace_oid = 0, relfilenode = 0;
};

std::optional<BackupRelation> cached_backup_relation(Database& db, std::int64_t backup_row_id,
                                                     const std::string& database,
                                                     const std::string& schema,
                                                     const std::string& table);
void store_backup_relation(Database& db, std::int64_t backup_row_id, const std::string& database,
                           const std::string& schema, const std::string& table,
                           const BackupRelation& relation);

} // namespace lastgood::catalog
