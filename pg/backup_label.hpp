#pragma once
// backup_label (in a base backup) and .backup history files (in the WAL
// archive) share one "KEY: value" format; the latter adds STOP lines.

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "common/time.hpp"
#include "pg/lsn.hpp"

namespace lastgood::pg {

struct BackupLabel {
  Lsn start_lsn;                 // START WAL LOCATION
  std::string start_wal_file;    // its "(file ...)" part
  std::optional<Lsn> checkpoint_lsn;
  std::string method;            // streamed | pg_start_backup | pg_rewind
  std::string backup_from;       // primary | standby | master
  std::string start_time_text;   // as written, e.g. "2024-05-01 10:00:00 UTC"
  std::optional<TimePoint> start_time;  // when the zone could be resolved
  std::string label;
  std::optional<std::uint32_t> start_timeline;
  // .backup history files only:
  std::optional<Lsn> stop_lsn;
  std::string stop_wal_file;
  std::string stop_time_text;
  std::optional<TimePoint> stop_time;
  std::optional<std::uint32_t> stop_timeline;
  // PG17 incremental backups:
  std::optional<Lsn> incremental_from_lsn;
  std::optional<std::uint32_t> incremental_from_timeline;
};

// Unknown keys are ignored; a missing or unparsable START WAL LOCATION throws
// ValidationError saying which line is wrong.
BackupLabel parse_backup_label(std::string_view text);

} // namespace lastgood::pg
