#include "catalog/base_backup_relations.hpp"

#include "common/time.hpp"

namespace lastgood::catalog {

std::optional<BackupRelation> cached_backup_relation(Database& db, std::int64_t backup_row_id,
                                                     const std::string& database,
                                                     const std::string& schema,
                                                     const std::string& table)
{
  auto s = db.prepare("SELECT found, database_oid, relation_oid, tablespace_oid, relfilenode"
                      " FROM base_backup_relations WHERE backup_id = ? AND database_name = ? AND"
                      " schema_name = ? AND relation_name = ?");
  s.bind_all(backup_row_id, database, schema, table);
  if (!s.step()) return std::nullopt;
  BackupRelation r;
  r.found = s.int64(0) != 0;
  r.database_oid = static_cast<std::uint32_t>(s.opt_int64(1).value_or(0));
  r.relation_oid = static_cast<std::uint32_t>(s.opt_int64(2).value_or(0));
  r.tablespace_oid = static_cast<std::uint32_t>(s.opt_int64(3).value_or(0));
  r.relfilenode = static_cast<std::uint32_t>(s.opt_int64(4).value_or(0));
  return r;
}

void store_backup_relation(Database& db, std::int64_t backup_row_id, const std::string& database,
                           const std::string& schema, const std::string& table,
                           const BackupRelation& r)
{
  std::optional<std::int64_t> database_oid, relation_oid, tablespace_oid, relfilenode;
  if (r.database_oid) database_oid = r.database_oid;
  if (r.found) {
    relation_oid = r.relation_oid;
    tablespace_oid = r.tablespace_oid;
    relfilenode = r.relfilenode;
  }
  db.prepare("INSERT INTO base_backup_relations (backup_id, database_name, schema_name,"
             " relation_name, found, database_oid, relation_oid, tablespace_oid, relfilenode,"
             " computed_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"
             " ON CONFLICT (backup_id, database_name, schema_name, relation_name) DO UPDATE SET"
             " found = excluded.found, database_oid = excluded.database_oid,"
             " relation_oid = excluded.relation_oid, tablespace_oid = excluded.tablespace_oid,"
             " relfilenode = excluded.relfilenode, computed_at = excluded.computed_at")
      .bind_all(backup_row_id, database, schema, table, r.found ? 1 : 0, database_oid, relation_oid,
                tablespace_oid, relfilenode, format_rfc3339(now_seconds()))
      .run();
}

} // namespace lastgood::catalog
