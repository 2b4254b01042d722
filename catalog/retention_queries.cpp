#include "catalog/retention_queries.hpp"

namespace lastgood::catalog {

std::vector<RetentionBackupRow> retention_backups(Database& db)
{
  auto s = db.prepare(
      "SELECT b.id, b.backup_id, r.name, r.removed_at IS NULL, b.kind, b.status, b.database, "
      "c.system_identifier,"
      " b.missing_since, coalesce(b.stop_time, b.start_time), b.start_lsn, b.stop_lsn, b.timeline, "
      "b.stop_timeline,"
      " b.size_bytes, b.root_key, b.source"
      " FROM backups b JOIN repositories r ON r.id = b.repository_id"
      " LEFT JOIN clusters c ON c.id = b.cluster_id WHERE b.deleted_at IS NULL"
      // Another tool's repository (pgBackRest) expires its own backups: a
      // diff or incr needs its prior's files, and the tool's own info files
      // would not know of our deletions.
      " AND r.format IS NULL ORDER BY b.id");
  std::vector<RetentionBackupRow> out;
  while (s.step()) {
    RetentionBackupRow f;
    f.row_id = s.int64(0);
    f.backup_id = s.text(1);
    f.repository = s.text(2);
    f.repository_active = s.int64(3) != 0;
    f.kind = s.text(4);
    f.status = s.text(5);
    f.database = s.opt_text(6);
    f.system_identifier = s.opt_text(7);
    f.missing_since = s.opt_text(8);
    f.time = s.opt_text(9);
    f.start_lsn = s.opt_int64(10);
    f.stop_lsn = s.opt_int64(11);
    f.timeline = s.opt_int64(12);
    f.stop_timeline = s.opt_int64(13);
    f.size_bytes = static_cast<std::uint64_t>(s.int64(14));
    f.root_key = s.text(15);
    f.source = s.opt_text(16);
    out.push_back(std::move(f));
  }
  return out;
}

std::vector<ObjectRetainUntil> backup_object_locks(Database& db)
{
  auto locks = db.prepare(
      "SELECT bo.backup_id, o.key, o.retain_until FROM backup_objects bo"
      " JOIN objects o ON o.id = bo.object_id"
      " WHERE o.retain_until IS NOT NULL AND o.retain_until <> '' AND o.deleted_at IS NULL");
  std::vector<ObjectRetainUntil> out;
  while (locks.step())
    out.push_back({locks.int64(0), locks.text(1), locks.text(2)});
  return out;
}

std::vector<RetentionWalRow> retention_wal_segments(Database& db)
{
  // Segments that belong to a base backup (its pg_wal) go with that backup, not here.
  auto s = db.prepare(
      "SELECT ws.object_id, r.name, r.removed_at IS NULL, o.key, ws.name, c.system_identifier, "
      "ws.timeline,"
      " ws.segno, ws.segment_size, ws.partial, o.size, o.retain_until"
      " FROM wal_segments ws JOIN objects o ON o.id = ws.object_id"
      " JOIN repositories r ON r.id = o.repository_id LEFT JOIN clusters c ON c.id = ws.cluster_id"
      " WHERE o.deleted_at IS NULL AND o.missing_since IS NULL AND o.kind IN ('wal_segment', "
      "'wal_partial')"
      " AND NOT EXISTS (SELECT 1 FROM backup_objects bo WHERE bo.object_id = o.id)"
      " AND r.format IS NULL" // another tool's archive is that tool's to expire
      " ORDER BY ws.object_id");
  std::vector<RetentionWalRow> out;
  while (s.step()) {
    RetentionWalRow w;
    w.object_id = s.int64(0);
    w.repository = s.text(1);
    w.repository_active = s.int64(2) != 0;
    w.key = s.text(3);
    w.name = s.text(4);
    w.system_identifier = s.opt_text(5);
    w.timeline = s.int64(6);
    w.segno = s.int64(7);
    w.segment_size = s.int64(8);
    w.partial = s.int64(9) != 0;
    w.size = s.int64(10);
    w.retain_until = s.opt_text(11);
    out.push_back(std::move(w));
  }
  return out;
}

std::vector<LiveObject> live_backup_objects(Database& db, std::int64_t backup_row_id)
{
  auto s = db.prepare(
      "SELECT o.id, o.key, o.size FROM backup_objects bo JOIN objects o ON o.id = bo.object_id"
      " WHERE bo.backup_id = ? AND o.deleted_at IS NULL ORDER BY o.key");
  s.bind(1, backup_row_id);
  std::vector<LiveObject> out;
  while (s.step())
    out.push_back({s.int64(0), s.text(1), static_cast<std::uint64_t>(s.int64(2))});
  return out;
}

void mark_object_deleted(Database& db, std::int64_t object_id, const std::string& at)
{
  db.prepare("UPDATE objects SET deleted_at = ? WHERE id = ?").bind_all(at, object_id).run();
}

void mark_backup_deleted(Database& db, std::int64_t backup_row_id, const std::string& at)
{
  db.prepare("UPDATE backups SET deleted_at = ? WHERE id = ?").bind_all(at, backup_row_id).run();
}

} // namespace lastgood::catalog
