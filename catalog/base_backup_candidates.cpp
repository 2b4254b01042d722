#include "catalog/base_backup_candidates.hpp"

namespace lastgood::catalog {

namespace {

constexpr const char* kBackupSelect =
    "SELECT b.id, b.backup_id, b.repository_id, r.name, b.root_key, b.format, b.status, b.timeline,"
    " b.stop_timeline, b.start_lsn, b.stop_lsn, b.start_time, b.stop_time"
    " FROM backups b JOIN repositories r ON r.id = b.repository_id"
    " WHERE b.cluster_id = ?1 AND b.kind = 'physical' AND b.deleted_at IS NULL AND b.missing_since "
    "IS NULL"
    " AND b.status <> 'bad' AND b.start_lsn IS NOT NULL AND b.stop_lsn IS NOT NULL AND "
    "r.removed_at IS NULL"
    " AND (CAST(?2 AS BIGINT) IS NULL OR b.id = ?2)";

BaseBackupRow read_backup(Statement& s)
{
  BaseBackupRow b;
  b.id = s.int64(0);
  b.backup_id = s.text(1);
  b.repository_id = s.int64(2);
  b.repository = s.text(3);
  b.root_key = s.text(4);
  b.format = s.text(5);
  b.status = s.text(6);
  b.timeline = s.opt_int64(7);
  b.stop_timeline = s.opt_int64(8);
  b.start_lsn = s.int64(9);
  b.stop_lsn = s.int64(10);
  b.start_time = s.opt_text(11);
  b.stop_time = s.opt_text(12);
  return b;
}

std::vector<ClusterRow> clusters_having(Database& db, const std::optional<std::string>& wanted,
                                        const char* having)
{
  auto s =
      db.prepare(std::string("SELECT c.id, c.system_identifier, c.wal_segment_size FROM "
                             "clusters c WHERE (?1 IS NULL OR c.system_identifier = ?1) AND ") +
                 having + " ORDER BY c.id");
  s.bind(1, wanted);
  std::vector<ClusterRow> found;
  while (s.step())
    found.push_back({s.int64(0), s.text(1), s.opt_int64(2)});
  return found;
}

std::string candidates_sql(bool stopped_by, bool stop_lsn_at_most)
{
  std::string sql = kBackupSelect;
  // Start the stop_lsn scan near the target instead of skipping every newer
  // backup: consistency points grow with stop time (the 100 latest by time
  // cover backups of branches that stopped out of LSN order).
  if (stopped_by)
    sql += " AND b.stop_time <= ?3 AND b.stop_lsn <= (SELECT max(stop_lsn) FROM (SELECT stop_lsn "
           "FROM backups"
           " WHERE cluster_id = ?1 AND stop_time <= ?3 ORDER BY stop_time DESC NULLS LAST LIMIT "
           "100) AS recent)";
  else if (stop_lsn_at_most)
    sql += " AND b.stop_lsn <= ?4";
  // Newest first, straight off index backups_by_cluster.
  sql += " ORDER BY b.stop_lsn DESC NULLS LAST, b.id DESC";
  return sql;
}

} // namespace

std::vector<ClusterRow>
clusters_with_base_backups(Database& db, const std::optional<std::string>& system_identifier)
{
  return clusters_having(db, system_identifier,
                         "EXISTS (SELECT 1 FROM backups b WHERE b.cluster_id = c.id AND b.kind = "
                         "'physical' AND b.deleted_at IS NULL)");
}

std::vector<ClusterRow> clusters_with_wal(Database& db,
                                          const std::optional<std::string>& system_identifier)
{
  return clusters_having(db, system_identifier,
                         "EXISTS (SELECT 1 FROM wal_segments ws WHERE ws.cluster_id = c.id)");
}

std::vector<BackupIdMatch> backups_matching_id(Database& db, const std::string& wanted)
{
  auto s =
      db.prepare("SELECT id, kind, backup_id FROM backups WHERE backup_id = ?1"
                 " OR substr(backup_id, 1, length(?1)) = ?1 ORDER BY backup_id = ?1 DESC LIMIT 2");
  s.bind(1, wanted);
  std::vector<BackupIdMatch> out;
  while (s.step())
    out.push_back({s.int64(0), s.text(1), s.text(2)});
  return out;
}

BaseBackupCandidates::BaseBackupCandidates(Database& db, std::int64_t cluster_id,
                                           const std::optional<std::int64_t>& only_backup,
                                           const std::optional<std::string>& stopped_by,
                                           const std::optional<std::uint64_t>& stop_lsn_at_most)
    : m_statement(db.prepare(candidates_sql(stopped_by.has_value(), stop_lsn_at_most.has_value())))
{
  m_statement.bind(1, cluster_id).bind(2, only_backup);
  if (stopped_by)
    m_statement.bind(3, *stopped_by);
  else if (stop_lsn_at_most)
    m_statement.bind(4, *stop_lsn_at_most);
}

std::optional<BaseBackupRow> BaseBackupCandidates::next()
{
  if (!m_statement.step()) return std::nullopt;
  return read_backup(m_statement);
}

std::vector<BaseBackupRow> base_backups_on_timeline(Database& db, std::int64_t cluster_id,
                                                    std::int64_t timeline, bool newest_first)
{
  auto s = db.prepare(std::string(kBackupSelect) + " AND b.timeline = ?3 AND b.stop_timeline = ?3" +
                      (newest_first ? " ORDER BY b.stop_lsn DESC NULLS LAST"
                                    : " ORDER BY b.stop_lsn ASC NULLS FIRST") +
                      " LIMIT 20");
  s.bind_all(cluster_id, std::nullopt, timeline);
  std::vector<BaseBackupRow> out;
  while (s.step())
    out.push_back(read_backup(s));
  return out;
}

std::optional<BaseBackupRow> oldest_base_backup(Database& db, std::int64_t cluster_id,
                                                const std::optional<std::int64_t>& only_backup)
{
  auto s = db.prepare(std::string(kBackupSelect) + " ORDER BY b.stop_lsn ASC NULLS FIRST LIMIT 1");
  s.bind_all(cluster_id, only_backup);
  if (!s.step()) return std::nullopt;
  return read_backup(s);
}

std::optional<std::int64_t> first_base_backup_start_after(Database& db, std::int64_t cluster_id,
                                                          const std::string& after)
{
  auto s = db.prepare("SELECT start_lsn FROM backups WHERE cluster_id = ? AND kind = 'physical'"
                      " AND start_time > ? AND start_lsn IS NOT NULL ORDER BY start_time LIMIT 1");
  s.bind_all(cluster_id, after);
  if (!s.step() || s.is_null(0)) return std::nullopt;
  return s.int64(0);
}

} // namespace lastgood::catalog
