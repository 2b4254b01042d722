#include "catalog/restore_outcomes.hpp"

namespace lastgood::catalog {

namespace {

std::vector<RestoreOutcome> read_outcomes(Statement& s)
{
  std::vector<RestoreOutcome> out;
  while (s.step()) {
    RestoreOutcome o;
    o.outcome = s.text(0);
    if (!s.is_null(1)) o.duration_seconds = s.real(1);
    o.backup_size_bytes = static_cast<std::uint64_t>(s.int64(2));
    o.scope = s.text(3);
    o.problem = s.opt_text(4);
    out.push_back(std::move(o));
  }
  return out;
}

} // namespace

std::vector<RestoreOutcome> restore_run_outcomes(Database& db)
{
  auto s = db.prepare("SELECT r.outcome, r.duration_seconds, b.size_bytes,"
                      " coalesce(b.database, c.system_identifier, 'unknown'), r.message"
                      " FROM restore_runs r"
                      " JOIN backups b ON b.id = r.backup_id LEFT JOIN clusters c ON c.id = "
                      "b.cluster_id ORDER BY r.id");
  return read_outcomes(s);
}

std::vector<RestoreOutcome> test_restore_outcomes(Database& db)
{
  auto s = db.prepare("SELECT r.outcome, r.duration_seconds, b.size_bytes, coalesce(b.database, "
                      "c.system_identifier, 'unknown'),"
                      " (SELECT f.kind FROM verification_findings f WHERE f.run_id = r.id AND "
                      "f.severity IN ('failure', 'error')"
                      "   ORDER BY f.severity = 'failure' DESC, f.id LIMIT 1)"
                      " FROM verification_runs r JOIN backups b ON b.id = r.backup_id LEFT JOIN "
                      "clusters c ON c.id = b.cluster_id"
                      " WHERE r.level = 'restore' ORDER BY r.id");
  return read_outcomes(s);
}

} // namespace lastgood::catalog
