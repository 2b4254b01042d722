#include "catalog/report_evidence.hpp"

#include "catalog/holds.hpp"

namespace lastgood::catalog {

std::vector<ReportBackupRow> report_backups(Database& db, const std::string& as_of)
{
  auto b = db.prepare(
      "SELECT v.id, v.backup_id, v.kind, v.status, coalesce(v.stop_time, v.start_time), "
      "v.size_bytes,"
      " v.objects_missing, v.database, v.system_identifier, v.start_lsn, v.timeline, v.start_time,"
      " (SELECT s.failed_check_after FROM v_backup_status s WHERE s.id = v.id),"
      " (SELECT max(r.finished_at) FROM verification_runs r WHERE r.backup_id = v.id AND r.level "
      "IN ('restore', 'pitr')"
      "   AND r.outcome = 'pass' AND r.finished_at <= ?1),"
      " EXISTS (SELECT 1 FROM holds h WHERE h.backup_id = v.id AND h.created_at <= ?1 AND " +
      active_hold_condition("h", "?1") +
      "),"
      " (SELECT r.outcome FROM verification_runs r WHERE r.backup_id = v.id"
      "   AND r.outcome IN ('pass', 'fail', 'error') AND r.finished_at <= ?1 ORDER BY r.id DESC"
      "   LIMIT 1),"
      " (SELECT f.message FROM verification_runs r JOIN verification_findings f ON f.run_id = r.id"
      "   WHERE r.backup_id = v.id AND r.outcome IN ('fail', 'error') AND r.finished_at <= ?1"
      "   AND f.severity IN ('failure', 'error')"
      "   ORDER BY r.id DESC, f.severity = 'failure' DESC, f.id LIMIT 1),"
      " v.source,"
      " (SELECT r.source_match_mode || ' ' || r.source_match_tables FROM verification_runs r"
      "   WHERE r.backup_id = v.id AND r.level IN ('restore', 'pitr') AND r.outcome = 'pass'"
      "   AND r.finished_at <= ?1 ORDER BY r.finished_at DESC NULLS LAST, r.id DESC LIMIT 1)"
      " FROM v_backups v WHERE coalesce(v.stop_time, v.start_time) <= ?1"
      " AND (v.deleted_at IS NULL OR v.deleted_at > ?1) ORDER BY 5, v.id");
  b.bind(1, as_of);
  std::vector<ReportBackupRow> out;
  while (b.step()) {
    ReportBackupRow r;
    r.row_id = b.int64(0);
    r.backup_id = b.text(1);
    r.kind = b.text(2);
    r.status = b.text(3);
    r.taken = b.text(4);
    r.size_bytes = static_cast<std::uint64_t>(b.int64(5));
    r.objects_missing = b.int64(6);
    r.database = b.opt_text(7);
    r.system_identifier = b.opt_text(8);
    r.start_lsn = b.opt_int64(9);
    r.timeline = b.opt_int64(10);
    r.start_time = b.opt_text(11);
    r.failing_check = !b.is_null(12);
    r.last_restore_pass = b.opt_text(13);
    r.held = b.int64(14) != 0;
    r.last_outcome = b.opt_text(15);
    r.last_problem = b.opt_text(16);
    r.source = b.opt_text(17);
    if (auto match = b.opt_text(18)) {
      auto space = match->find(' ');
      r.last_restore_pass_match =
          SourceMatch{match->substr(0, space), std::stoll(match->substr(space + 1))};
    }
    out.push_back(std::move(r));
  }
  return out;
}

std::map<std::int64_t, std::vector<std::pair<std::string, double>>>
passing_restore_durations_by_backup(Database& db, const std::string& as_of)
{
  auto s =
      db.prepare("SELECT backup_id, finished_at, duration_seconds, 0 AS part, started_at, id"
                 " FROM verification_runs WHERE level = 'restore' AND outcome = 'pass'"
                 " AND duration_seconds IS NOT NULL AND finished_at <= ?1 AND backup_id IS NOT NULL"
                 " UNION ALL SELECT backup_id, finished_at, duration_seconds, 1, started_at, id "
                 "FROM restore_runs"
                 " WHERE outcome = 'pass' AND duration_seconds IS NOT NULL AND finished_at <= ?1"
                 " AND backup_id IS NOT NULL ORDER BY 1, 4, 5, 6");
  s.bind(1, as_of);
  std::map<std::int64_t, std::vector<std::pair<std::string, double>>> out;
  while (s.step())
    out[s.int64(0)].emplace_back(s.text(1), s.real(2));
  return out;
}

std::vector<ReportHoldRow> holds_active_at(Database& db, const std::string& as_of)
{
  auto h = db.prepare("SELECT v.backup_id, h.reason, h.until, h.created_by, h.created_at, v.kind, "
                      "v.database, v.system_identifier,"
                      " v.deleted_at IS NOT NULL OR v.missing_since IS NOT NULL, v.source"
                      " FROM holds h JOIN v_backups v ON v.id = h.backup_id"
                      " WHERE h.created_at <= ?1 AND " +
                      active_hold_condition("h", "?1") + " ORDER BY h.created_at, h.id");
  h.bind(1, as_of);
  std::vector<ReportHoldRow> out;
  while (h.step()) {
    ReportHoldRow r;
    r.backup_id = h.text(0);
    r.reason = h.text(1);
    r.until = h.opt_text(2);
    r.created_by = h.text(3);
    r.created_at = h.text(4);
    r.kind = h.text(5);
    r.database = h.opt_text(6);
    r.system_identifier = h.opt_text(7);
    r.backup_gone = h.int64(8) != 0;
    r.source = h.opt_text(9);
    out.push_back(std::move(r));
  }
  return out;
}

std::vector<DeletedBackupRow> backups_deleted_between(Database& db, const std::string& from,
                                                      const std::string& to)
{
  auto d = db.prepare("SELECT v.kind, v.database, v.system_identifier, EXISTS (SELECT 1 FROM holds "
                      "h WHERE h.backup_id = v.id AND h.created_at <= v.deleted_at AND " +
                      active_hold_condition("h", "v.deleted_at") +
                      "), v.source"
                      " FROM v_backups v WHERE v.deleted_at > ?1 AND v.deleted_at <= ?2");
  d.bind_all(from, to);
  std::vector<DeletedBackupRow> out;
  while (d.step())
    out.push_back({d.text(0), d.opt_text(1), d.opt_text(2), d.opt_text(4), d.int64(3) != 0});
  return out;
}

std::vector<std::pair<std::optional<std::string>, std::int64_t>>
wal_deleted_between(Database& db, const std::string& from, const std::string& to)
{
  auto w = db.prepare(
      "SELECT c.system_identifier, count(*) FROM wal_segments ws JOIN objects o ON o.id = "
      "ws.object_id"
      " LEFT JOIN clusters c ON c.id = ws.cluster_id WHERE o.deleted_at > ?1 AND o.deleted_at <= ?2"
      " GROUP BY 1");
  w.bind_all(from, to);
  std::vector<std::pair<std::optional<std::string>, std::int64_t>> out;
  while (w.step())
    out.emplace_back(w.opt_text(0), w.int64(1));
  return out;
}

std::optional<std::int64_t> segment_archived_at_ns(Database& db,
                                                   const std::string& system_identifier,
                                                   std::int64_t timeline, std::int64_t segno)
{
  auto s = db.prepare(
      "SELECT o.mtime_ns FROM wal_segments ws JOIN objects o ON o.id = ws.object_id"
      " JOIN clusters c ON c.id = ws.cluster_id WHERE c.system_identifier = ? AND ws.timeline = ?"
      " AND ws.segno = ? AND ws.partial = 0 AND o.missing_since IS NULL AND o.mtime_ns IS NOT NULL"
      " ORDER BY o.mtime_ns DESC NULLS LAST LIMIT 1");
  s.bind_all(system_identifier, timeline, segno);
  if (!s.step()) return std::nullopt;
  return s.int64(0);
}

std::vector<AuditRow> retention_and_hold_events(Database& db, const std::string& from,
                                                const std::string& to)
{
  auto a = db.prepare(
      "SELECT at, actor, action, coalesce(subject, ''), severity FROM audit_log"
      " WHERE (action LIKE 'retention.%' OR action LIKE 'hold.%') AND at > ?1 AND at <= ?2"
      " ORDER BY at, id");
  a.bind_all(from, to);
  std::vector<AuditRow> out;
  while (a.step())
    out.push_back({a.text(0), a.text(1), a.text(2), a.text(3), a.text(4)});
  return out;
}

} // namespace lastgood::catalog
