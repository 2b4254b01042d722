#pragma once
// The evidence the compliance report reads, as it stood at a moment `as_of`
// (RFC 3339): backups then present with their verification outcomes, holds
// then active, deletions and audit events in a period. compliance/ turns it
// into facts and verdicts.

#include "catalog/database.hpp"
#include "catalog/verification_runs.hpp"

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <utility>
#include <vector>

namespace lastgood::catalog {

struct ReportBackupRow
{
  std::int64_t row_id = 0;
  std::string backup_id, kind, status;
  std::string taken; // stop time, else start time
  std::uint64_t size_bytes = 0;
  std::int64_t objects_missing = 0;
  std::optional<std::string> database, system_identifier, source, start_time;
  std::optional<std::int64_t> start_lsn, timeline;
  bool failing_check = false; // a checksum/structure run failed after its last restore verdict
  std::optional<std::string> last_restore_pass;       // newest passing restore/pitr run, by as_of
  std::optional<SourceMatch> last_restore_pass_match; // that run found it identical to the source
  bool held = false;                                  // a hold was active at as_of
  std::optional<std::string> last_outcome;            // newest finished run's outcome, by as_of
  std::optional<std::string> last_problem;            // its first failure (else error) message
};
// Backups taken by as_of and not deleted by then, oldest first.
std::vector<ReportBackupRow> report_backups(Database& db, const std::string& as_of);

// Finish times and durations of passing restores (restore command) and test
// restores (verify) finished by as_of, for every backup at once, by
// backups.id: test restores first, then restores, each by start.
std::map<std::int64_t, std::vector<std::pair<std::string, double>>>
passing_restore_durations_by_backup(Database& db, const std::string& as_of);

struct ReportHoldRow
{
  std::string backup_id, reason, created_by, created_at, kind;
  std::optional<std::string> until, database, system_identifier, source;
  bool backup_gone = false; // the held backup is missing or deleted
};
// Holds that existed and were active at as_of, oldest first.
std::vector<ReportHoldRow> holds_active_at(Database& db, const std::string& as_of);

struct DeletedBackupRow
{
  std::string kind;
  std::optional<std::string> database, system_identifier, source;
  bool held = false; // a hold was active when it was deleted
};
// Backups deleted after `from`, by `to`.
std::vector<DeletedBackupRow> backups_deleted_between(Database& db, const std::string& from,
                                                      const std::string& to);
// WAL segments deleted after `from`, by `to`, counted per cluster (nullopt: unknown cluster).
std::vector<std::pair<std::optional<std::string>, std::int64_t>>
wal_deleted_between(Database& db, const std::string& from, const std::string& to);

// Archive time (object mtime, ns) of the newest present, whole copy of a segment.
std::optional<std::int64_t> segment_archived_at_ns(Database& db,
                                                   const std::string& system_identifier,
                                                   std::int64_t timeline, std::int64_t segno);

struct AuditRow
{
  std::string at, actor, action, subject, severity;
};
// Retention and hold events after `from`, by `to`, in order.
std::vector<AuditRow> retention_and_hold_events(Database& db, const std::string& from,
                                                const std::string& to);

} // namespace lastgood::catalog
