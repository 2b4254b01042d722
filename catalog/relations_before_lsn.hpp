#pragma once
// Relation files of tables as pg_class had them in a base backup recovered to
// just before a WAL record (tables created after the backup; tables
// base_backup_relfilenodes and base_backup_lsn_lookups, migration 0019), so
// each such point is recovered once.

#include "catalog/database.hpp"

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace lastgood::catalog {

struct RelfilenodeName
{
  std::uint32_t tablespace_oid = 0, relfilenode = 0, database_oid = 0, relation_oid = 0;
  std::string schema, name;
  std::uint64_t seen_before_lsn = 0;
};

// The table known to own relation file (tablespace, relfilenode) of `database`.
std::optional<RelfilenodeName> cached_relfilenode_name(Database& db, std::int64_t backup_row_id,
                                                       const std::string& database,
                                                       std::uint32_t tablespace_oid,
                                                       std::uint32_t relfilenode);
// The table SCHEMA.NAME as seen at any point looked at (the earliest point first).
std::optional<RelfilenodeName> cached_relation_by_name(Database& db, std::int64_t backup_row_id,
                                                       const std::string& database,
                                                       const std::string& schema,
                                                       const std::string& name);
// The outcome recorded for the point before_lsn ("read" or why not), if looked at.
std::optional<std::string> lsn_lookup_outcome(Database& db, std::int64_t backup_row_id,
                                              const std::string& database,
                                              std::uint64_t before_lsn);
// Records a point: its outcome and every table's relation file seen there
// (files already known keep their first sighting).
void store_lsn_lookup(Database& db, std::int64_t backup_row_id, const std::string& database,
                      std::uint64_t before_lsn, const std::string& outcome,
                      const std::vector<RelfilenodeName>& seen);

} // namespace lastgood::catalog
