#include "catalog/relations_before_lsn.hpp"

#include "common/time.hpp"

namespace lastgood::catalog {

namespace {

constexpr const char* kColumns = "SELECT tablespace_oid, relfilenode, database_oid, relation_oid,"
                                 " schema_name, relation_name, seen_before_lsn"
                                 " FROM base_backup_relfilenodes";

RelfilenodeName row_of(Statement& s)
{
  RelfilenodeName r;
  r.tablespace_oid = static_cast<std::uint32_t>(s.int64(0));
  r.relfilenode = static_cast<std::uint32_t>(s.int64(1));
  r.database_oid = static_cast<std::uint32_t>(s.int64(2));
  r.relation_oid = static_cast<std::uint32_t>(s.int64(3));
  r.schema = s.text(4);
  r.name = s.text(5);
  r.seen_before_lsn = static_cast<std::uint64_t>(s.int64(6));
  return r;
}

} // namespace

std::optional<RelfilenodeName> cached_relfilenode_name(Database& db, std::int64_t backup_row_id,
                                                       const std::string& database,
                                                       std::uint32_t tablespace_oid,
                                                       std::uint32_t relfilenode)
{
  auto s = db.prepare(std::string(kColumns) +
                      " WHERE backup_id = ? AND database_name = ? AND tablespace_oid = ? AND"
                      " relfilenode = ?");
  s.bind_all(backup_row_id, database, static_cast<std::int64_t>(tablespace_oid),
             static_cast<std::int64_t>(relfilenode));
  if (!s.step()) return std::nullopt;
  return row_of(s);
}

std::optional<RelfilenodeName> cached_relation_by_name(Database& db, std::int64_t backup_row_id,
                                                       const std::string& database,
                                                       const std::string& schema,
                                                       const std::string& name)
{
  auto s = db.prepare(std::string(kColumns) +
                      " WHERE backup_id = ? AND database_name = ? AND schema_name = ? AND"
                      " relation_name = ? ORDER BY seen_before_lsn LIMIT 1");
  s.bind_all(backup_row_id, database, schema, name);
  if (!s.step()) return std::nullopt;
  return row_of(s);
}

std::optional<std::string> lsn_lookup_outcome(Database& db, std::int64_t backup_row_id,
                                              const std::string& database, std::uint64_t before_lsn)
{
  auto s = db.prepare("SELECT outcome FROM base_backup_lsn_lookups WHERE backup_id = ? AND"
                      " database_name = ? AND before_lsn = ?");
  s.bind_all(backup_row_id, database, before_lsn);
  if (!s.step()) return std::nullopt;
  return s.text(0);
}

void store_lsn_lookup(Database& db, std::int64_t backup_row_id, const std::string& database,
                      std::uint64_t before_lsn, const std::string& outcome,
                      const std::vector<RelfilenodeName>& seen)
{
  Transaction tx(db);
  auto insert = db.prepare(
      "INSERT INTO base_backup_relfilenodes (backup_id, database_name, tablespace_oid,"
      " relfilenode, database_oid, relation_oid, schema_name, relation_name, seen_before_lsn)"
      " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT DO NOTHING");
  for (const auto& r : seen) {
    insert.reset();
    insert
        .bind_all(backup_row_id, database, static_cast<std::int64_t>(r.tablespace_oid),
                  static_cast<std::int64_t>(r.relfilenode),
                  static_cast<std::int64_t>(r.database_oid),
                  static_cast<std::int64_t>(r.relation_oid), r.schema, r.name, before_lsn)
        .run();
  }
  db.prepare("INSERT INTO base_backup_lsn_lookups (backup_id, database_name,"
             " before_lsn, outcome, computed_at) VALUES (?, ?, ?, ?, ?)"
             " ON CONFLICT (backup_id, database_name, before_lsn) DO UPDATE SET"
             " outcome = excluded.outcome, computed_at = excluded.computed_at")
      .bind_all(backup_row_id, database, before_lsn, outcome, format_rfc3339(now_seconds()))
      .run();
  tx.commit();
}

} // namespace lastgood::catalog
