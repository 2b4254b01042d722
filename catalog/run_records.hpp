#pragma once
// History rows of physical restores (migration 0007), restore drills
// (migration 0006), each begun before the work by this host and process and
// finished with its outcome; and the catalog copy a restore_command reads.

#include "catalog/database.hpp"

#include <cstdint>
#include <optional>
#include <string>

namespace lastgood::catalog {

// Starts a physical restore run of a base backup into `pgdata`; returns its id.
std::int64_t begin_physical_restore_run(Database& db, std::int64_t backup_row_id,
                                        const std::string& pgdata, const std::string& target_json,
                                        std::int64_t wal_segments, const std::string& started_at);
void finish_physical_restore_run(Database& db, std::int64_t run_id, const std::string& finished_at,
                                 double seconds, const std::string& outcome,
                                 const std::string& message,
                                 const std::optional<std::string>& recovery_point_json);

// Starts a drill of `database`; returns its id.
std::int64_t begin_drill_run(Database& db, const std::string& database,
                             const std::string& started_at);
struct DrillRunEnd
{
  std::int64_t drill_id = 0;
  std::optional<std::int64_t> backup_row_id, checksum_run, restore_run;
  std::string finished_at;
  double seconds = 0;
  std::string outcome;
  std::string steps_json; // redacted by the caller
};
void finish_drill_run(Database& db, const DrillRunEnd& end);

// A consistent copy of the whole catalog at `path` (a new SQLite file), for a
// process that may not read the catalog itself (the server's restore_command).
void copy_catalog_to(Database& db, const std::string& path);

// Whether such a process needs that copy even as the same user: a PostgreSQL
// catalog's password may come from this process's environment or ~/.pgpass,
// which the server's restore_command does not have.
bool wal_fetch_needs_copy(const Database& db);

} // namespace lastgood::catalog
