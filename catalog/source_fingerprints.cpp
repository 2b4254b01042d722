#include "catalog/source_fingerprints.hpp"

namespace lastgood::catalog {

void record_source_fingerprint(Database& db, std::int64_t backup_row_id,
                               const SourceFingerprint& fingerprint)
{
  const auto& f = fingerprint.fingerprint;
  Transaction tx(db);
  db.prepare("DELETE FROM source_fingerprint_tables WHERE backup_id = ?1")
      .bind_all(backup_row_id)
      .run();
  db.prepare("INSERT INTO source_fingerprints"
             " (backup_id, mode, wal_lsn, taken_at, how, exact_lsn, database_name)"
             " VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7) ON CONFLICT (backup_id) DO UPDATE SET"
             " mode = excluded.mode, wal_lsn = excluded.wal_lsn, taken_at = excluded.taken_at,"
             " how = excluded.how, exact_lsn = excluded.exact_lsn,"
             " database_name = excluded.database_name")
      .bind_all(backup_row_id, pg::to_string(f.mode),
                f.wal_lsn.empty() ? std::nullopt : std::optional<std::string>(f.wal_lsn),
                fingerprint.taken_at, fingerprint.how, f.exact_lsn ? 1 : 0,
                f.database_name.empty() ? std::nullopt
                                        : std::optional<std::string>(f.database_name))
      .run();
  auto insert = db.prepare("INSERT INTO source_fingerprint_tables"
                           " (backup_id, schema_name, table_name, rows, content_hash)"
                           " VALUES (?1, ?2, ?3, ?4, ?5)");
  for (const auto& t : f.tables)
    insert.bind_all(backup_row_id, t.schema_name, t.table_name, t.rows, t.content_hash).run();
  tx.commit();
}

std::optional<SourceFingerprint> source_fingerprint(Database& db, std::int64_t backup_row_id)
{
  auto head = db.prepare("SELECT mode, coalesce(wal_lsn, ''), taken_at, how, exact_lsn,"
                         " coalesce(database_name, '') FROM source_fingerprints"
                         " WHERE backup_id = ?1");
  head.bind_all(backup_row_id);
  if (!head.step()) return std::nullopt;
  SourceFingerprint out;
  out.fingerprint.mode = pg::parse_fingerprint_mode(head.text(0));
  out.fingerprint.wal_lsn = head.text(1);
  out.taken_at = head.text(2);
  out.how = head.text(3);
  out.fingerprint.exact_lsn = head.int64(4) != 0;
  out.fingerprint.database_name = head.text(5);
  auto tables = db.prepare("SELECT schema_name, table_name, rows, content_hash"
                           " FROM source_fingerprint_tables WHERE backup_id = ?1"
                           " ORDER BY schema_name, table_name");
  tables.bind_all(backup_row_id);
  while (tables.step())
    out.fingerprint.tables.push_back(
        {tables.text(0), tables.text(1), tables.int64(2), tables.opt_text(3)});
  return out;
}

} // namespace lastgood::catalog
