#include "catalog/due_evidence.hpp"

namespace lastgood::catalog {

namespace {

// A backup a test restore can be made of: dumps except pg_dumpall output
// (a shared scratch server must not get its roles), and base backups.
constexpr const char* kRestorable =
    " b.deleted_at IS NULL AND b.missing_since IS NULL"
    " AND (b.kind = 'logical' AND b.format <> 'plain_cluster' AND b.database IS NOT NULL"
    "      OR b.kind = 'physical' AND b.cluster_id IS NOT NULL)";

// One scope per database (dumps) and per cluster (base backups).
constexpr const char* kScope =
    "CASE WHEN b.kind = 'logical' THEN 'database ' || coalesce(b.source || '/', '') || b.database"
    " ELSE 'cluster ' || coalesce(c.system_identifier, CAST(b.cluster_id AS TEXT)) END";

} // namespace

std::vector<RestoreDueScope> scopes_due_for_restore(Database& db, const std::string& cutoff)
{
  std::vector<RestoreDueScope> out;
  auto stale =
      db.prepare(std::string("SELECT ") + kScope +
                 ", max(s.last_restore_at) FROM backups b JOIN v_backup_status s ON s.id = b.id"
                 " LEFT JOIN clusters c ON c.id = b.cluster_id WHERE" +
                 kRestorable +
                 " GROUP BY 1 HAVING max(s.last_restore_at) IS NULL OR max(s.last_restore_at) < ?"
                 " ORDER BY 2 NULLS FIRST, 1");
  stale.bind(1, cutoff);
  while (stale.step())
    out.push_back({stale.text(0), stale.opt_text(1), {}});
  auto candidates = db.prepare(
      std::string("SELECT b.backup_id FROM backups b JOIN v_backup_status s ON s.id = b.id"
                  " LEFT JOIN clusters c ON c.id = b.cluster_id WHERE") +
      kRestorable + " AND " + kScope +
      " = ? ORDER BY s.last_restore_at IS NULL DESC,"
      " coalesce(b.stop_time, b.start_time) DESC, b.id DESC");
  for (auto& scope : out) {
    candidates.bind(1, scope.scope);
    while (candidates.step())
      scope.candidates.push_back(candidates.text(0));
    candidates.reset();
  }
  return out;
}

std::vector<ChecksumDueBackup> backups_due_for_checksum(Database& db, const std::string& cutoff)
{
  auto s = db.prepare("SELECT backup_id, last FROM (SELECT b.backup_id,"
                      " (SELECT max(r.finished_at) FROM verification_runs r"
                      "  WHERE r.backup_id = b.id AND r.outcome IN ('pass', 'fail')) AS last"
                      " FROM backups b WHERE b.deleted_at IS NULL AND b.missing_since IS NULL)"
                      " AS checked WHERE last IS NULL OR last < ?"
                      " ORDER BY last NULLS FIRST, backup_id");
  s.bind(1, cutoff);
  std::vector<ChecksumDueBackup> out;
  while (s.step())
    out.push_back({s.text(0), s.opt_text(1)});
  return out;
}

} // namespace lastgood::catalog
