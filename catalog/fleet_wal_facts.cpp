#include "catalog/fleet_wal_facts.hpp"

namespace lastgood::catalog {

namespace {

// One cluster (by an index on the column, parameter 1) or all (no parameter).
std::string for_cluster(const char* column, std::optional<std::int64_t> cluster_id)
{
  return cluster_id ? std::string(" ") + column + " = ?1" : std::string(" 1 = 1");
}

void bind_cluster(Statement& s, std::optional<std::int64_t> cluster_id)
{
  if (cluster_id) s.bind(1, *cluster_id);
}

} // namespace

std::map<std::string, WalClusterRow> wal_clusters(Database& db,
                                                  std::optional<std::int64_t> cluster_id)
{
  // The last present segment through index wal_segments_chain, read backwards.
  auto s = db.prepare("SELECT c.id, c.system_identifier, c.wal_segment_size,"
                      " (SELECT ws.segment_size FROM wal_segments ws WHERE ws.cluster_id = c.id"
                      "   AND ws.unavailable = 0 ORDER BY ws.timeline DESC, ws.segno DESC LIMIT 1)"
                      " FROM clusters c WHERE" +
                      for_cluster("c.id", cluster_id));
  bind_cluster(s, cluster_id);
  std::map<std::string, WalClusterRow> out;
  while (s.step())
    out[s.text(1)] = WalClusterRow{s.int64(0), s.opt_int64(2), s.opt_int64(3)};
  return out;
}

std::vector<UsableRun> usable_wal_runs(Database& db, std::optional<std::int64_t> cluster_id)
{
  // The WHERE matches index wal_segments_usable's, which covers the query.
  auto s =
      db.prepare("SELECT ws.cluster_id, ws.timeline, count(*), count(DISTINCT ws.segno),"
                 " min(ws.segno), max(ws.segno) FROM wal_segments ws"
                 " WHERE ws.partial = 0 AND ws.unavailable = 0 AND ws.problem IS NULL"
                 " AND ws.cluster_id IS NOT NULL AND" +
                 for_cluster("ws.cluster_id", cluster_id) + " GROUP BY ws.cluster_id, ws.timeline");
  bind_cluster(s, cluster_id);
  std::vector<UsableRun> out;
  while (s.step())
    out.push_back({s.int64(0), static_cast<std::uint32_t>(s.int64(1)),
                   static_cast<std::uint64_t>(s.int64(2)), static_cast<std::uint64_t>(s.int64(3)),
                   static_cast<std::uint64_t>(s.int64(4)), static_cast<std::uint64_t>(s.int64(5))});
  return out;
}

std::vector<std::uint64_t> usable_segnos(Database& db, std::int64_t cluster_id,
                                         std::uint32_t timeline)
{
  auto s = db.prepare("SELECT DISTINCT ws.segno FROM wal_segments ws WHERE ws.cluster_id = ?"
                      " AND ws.timeline = ? AND ws.partial = 0 AND ws.unavailable = 0"
                      " AND ws.problem IS NULL ORDER BY ws.segno");
  s.bind_all(cluster_id, timeline);
  std::vector<std::uint64_t> out;
  while (s.step())
    out.push_back(static_cast<std::uint64_t>(s.int64(0)));
  return out;
}

std::vector<UnusableSegmentRow> present_unusable_segments(Database& db,
                                                          std::optional<std::int64_t> cluster_id)
{
  // Index wal_segments_unusable (migration 0020) holds just these rows; the
  // "+"s keep SQLite from walking all of wal_segments_chain instead.
  auto s = db.prepare("SELECT ws.cluster_id, ws.timeline, ws.segno, ws.partial, ws.problem, o.key"
                      " FROM wal_segments ws JOIN objects o ON o.id = ws.object_id"
                      " WHERE (ws.partial <> 0 OR ws.problem IS NOT NULL) AND ws.unavailable = 0"
                      " AND +ws.cluster_id IS NOT NULL AND" +
                      for_cluster("ws.cluster_id", cluster_id) +
                      " ORDER BY +ws.cluster_id, ws.timeline, ws.segno, ws.object_id");
  bind_cluster(s, cluster_id);
  std::vector<UnusableSegmentRow> out;
  while (s.step())
    out.push_back({s.int64(0), static_cast<std::uint32_t>(s.int64(1)),
                   static_cast<std::uint64_t>(s.int64(2)), s.int64(3) != 0, s.opt_text(4),
                   s.text(5)});
  return out;
}

std::vector<HistoryRow> timeline_history_rows(Database& db, std::optional<std::int64_t> cluster_id)
{
  auto s = db.prepare(
      "SELECT DISTINCT th.cluster_id, th.timeline, th.parent_timeline, th.switch_lsn"
      " FROM timeline_history th JOIN objects o ON o.id = th.object_id"
      " WHERE o.missing_since IS NULL AND o.deleted_at IS NULL AND th.cluster_id IS NOT NULL AND" +
      for_cluster("th.cluster_id", cluster_id));
  bind_cluster(s, cluster_id);
  std::vector<HistoryRow> out;
  while (s.step())
    out.push_back({s.int64(0), static_cast<std::uint32_t>(s.int64(1)),
                   static_cast<std::uint32_t>(s.int64(2)), static_cast<std::uint64_t>(s.int64(3))});
  return out;
}

std::vector<WalBackupRow> physical_backups_with_lsns(Database& db,
                                                     std::optional<std::int64_t> cluster_id)
{
  auto s = db.prepare("SELECT b.id, b.cluster_id, b.backup_id, b.status, b.timeline, b.start_lsn,"
                      " b.stop_lsn, b.label, b.backup_type FROM backups b"
                      " WHERE b.kind = 'physical' AND b.deleted_at IS NULL"
                      " AND b.start_lsn IS NOT NULL AND b.stop_lsn IS NOT NULL"
                      " AND b.cluster_id IS NOT NULL AND" +
                      for_cluster("b.cluster_id", cluster_id) +
                      " ORDER BY b.cluster_id, b.stop_lsn, b.id");
  bind_cluster(s, cluster_id);
  std::vector<WalBackupRow> out;
  while (s.step()) {
    WalBackupRow b;
    b.row_id = s.int64(0);
    b.cluster_id = s.int64(1);
    b.backup_id = s.text(2);
    b.status = s.text(3);
    b.timeline = s.opt_int64(4);
    b.start_lsn = static_cast<std::uint64_t>(s.int64(5));
    b.stop_lsn = static_cast<std::uint64_t>(s.int64(6));
    b.label = s.opt_text(7);
    b.backup_type = s.opt_text(8);
    out.push_back(std::move(b));
  }
  return out;
}

std::map<std::int64_t, std::vector<CarriedSegment>>
carried_segments_of_backups(Database& db, std::optional<std::int64_t> cluster_id)
{
  auto s =
      db.prepare("SELECT bo.backup_id, cw.timeline, cw.segno, cw.segment_size FROM backups b"
                 " JOIN backup_objects bo ON bo.backup_id = b.id"
                 " JOIN backup_carried_wal cw ON cw.object_id = bo.object_id"
                 " JOIN objects o ON o.id = bo.object_id JOIN clusters c ON c.id = b.cluster_id"
                 " WHERE b.kind = 'physical' AND b.deleted_at IS NULL AND o.missing_since IS NULL"
                 " AND o.deleted_at IS NULL AND cw.problem IS NULL"
                 " AND cw.system_identifier = c.system_identifier AND" +
                 for_cluster("b.cluster_id", cluster_id));
  bind_cluster(s, cluster_id);
  std::map<std::int64_t, std::vector<CarriedSegment>> out;
  while (s.step())
    out[s.int64(0)].push_back({static_cast<std::uint32_t>(s.int64(1)),
                               static_cast<std::uint64_t>(s.int64(2)),
                               static_cast<std::uint64_t>(s.int64(3))});
  return out;
}

std::vector<WalDirectoryCount> wal_directory_counts(Database& db)
{
  auto s =
      db.prepare("SELECT o.repository_id, rtrim(o.key, replace(o.key, '/', '')), ws.cluster_id,"
                 " count(*) FROM wal_segments ws JOIN objects o ON o.id = ws.object_id"
                 " WHERE o.missing_since IS NULL AND o.deleted_at IS NULL"
                 " AND ws.cluster_id IS NOT NULL GROUP BY 1, 2, 3");
  std::vector<WalDirectoryCount> out;
  while (s.step())
    out.push_back({s.int64(0), s.text(1), s.int64(2), s.int64(3)});
  return out;
}

std::vector<DirectorySegmentRow> cluster_segments_in_directory(Database& db,
                                                               std::int64_t repository_id,
                                                               const std::string& directory,
                                                               std::int64_t cluster_id)
{
  auto s = db.prepare("SELECT ws.name, r.name, o.key FROM wal_segments ws"
                      " JOIN objects o ON o.id = ws.object_id"
                      " JOIN repositories r ON r.id = o.repository_id"
                      " WHERE ws.cluster_id = ?1 AND o.repository_id = ?2"
                      " AND rtrim(o.key, replace(o.key, '/', '')) = ?3"
                      " AND o.missing_since IS NULL AND o.deleted_at IS NULL");
  s.bind_all(cluster_id, repository_id, directory);
  std::vector<DirectorySegmentRow> out;
  while (s.step())
    out.push_back({s.text(0), s.text(1), s.text(2)});
  return out;
}

} // namespace lastgood::catalog
