#include "catalog/run_records.hpp"

#include "catalog/catalog.hpp"
#include "catalog/catalog_export.hpp"
#include "catalog/local_process.hpp"

#include <unistd.h>

namespace lastgood::catalog {

std::int64_t begin_physical_restore_run(Database& db, std::int64_t backup_row_id,
                                        const std::string& pgdata, const std::string& target_json,
                                        std::int64_t wal_segments, const std::string& started_at)
{
  db.prepare("INSERT INTO physical_restore_runs (backup_id, pgdata, target, wal_segments, "
             "started_at, host, pid,"
             " tool_version) VALUES (?, ?, ?, ?, ?, ?, ?, ?)")
      .bind_all(backup_row_id, pgdata, target_json, wal_segments, started_at, this_host(),
                static_cast<std::int64_t>(::getpid()), std::string(LASTGOOD_VERSION))
      .run();
  return db.last_insert_id();
}

void finish_physical_restore_run(Database& db, std::int64_t run_id, const std::string& finished_at,
                                 double seconds, const std::string& outcome,
                                 const std::string& message,
                                 const std::optional<std::string>& recovery_point_json)
{
  db.prepare("UPDATE physical_restore_runs SET finished_at = ?, duration_seconds = ?, outcome = ?, "
             "message = ?,"
             " recovery_point = ? WHERE id = ?")
      .bind_all(finished_at, seconds, outcome, message, recovery_point_json, run_id)
      .run();
}

std::int64_t begin_drill_run(Database& db, const std::string& database,
                             const std::string& started_at)
{
  db.prepare("INSERT INTO drill_runs (database, started_at, host, pid, tool_version)"
             " VALUES (?, ?, ?, ?, ?)")
      .bind_all(database, started_at, this_host(), static_cast<std::int64_t>(::getpid()),
                std::string(LASTGOOD_VERSION))
      .run();
  return db.last_insert_id();
}

void finish_drill_run(Database& db, const DrillRunEnd& end)
{
  db.prepare("UPDATE drill_runs SET backup_id = ?, checksum_run = ?, restore_run = ?,"
             " finished_at = ?, duration_seconds = ?, outcome = ?, steps = ? WHERE id = ?")
      .bind_all(end.backup_row_id, end.checksum_run, end.restore_run, end.finished_at, end.seconds,
                end.outcome, end.steps_json, end.drill_id)
      .run();
}

void copy_catalog_to(Database& db, const std::string& path)
{
  if (db.engine() == Engine::Postgres) {
    auto copy = Catalog::open_file(path);
    export_catalog(db, copy->db());
    return;
  }
  db.prepare("VACUUM INTO ?").bind(1, path).run();
}

bool wal_fetch_needs_copy(const Database& db)
{
  return db.engine() == Engine::Postgres;
}

} // namespace lastgood::catalog
