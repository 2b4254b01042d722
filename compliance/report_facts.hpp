#pragma once
// The facts a compliance report is judged on, gathered from the catalog for
// each scope: a database (logical dumps) or a cluster (base backups + WAL).
// Everything is read as of one moment, so an auditor can reproduce a report.

#include "catalog/database.hpp"
#include "catalog/verification_runs.hpp"
#include "common/time.hpp"

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace lastgood::compliance {

// One backup as the timeline shows it.
struct BackupFact
{
  std::string backup_id;
  std::string kind;   // logical | physical
  std::string status; // unverified | good | bad
  TimePoint taken{};  // stop time, else start time
  std::uint64_t size_bytes = 0;
  std::int64_t objects_missing = 0;
  bool failing_check = false; // a checksum/structure run failed after its last restore verdict
  bool held = false;          // under an active legal hold
  // Outcome of the newest finished verification run at any level (pass |
  // fail | error), and the first failure or error it found: the evidence
  // behind "bad" and "could not be checked".
  std::optional<std::string> last_outcome;
  std::optional<std::string> last_problem;
};

struct WalGapFact
{
  std::uint32_t timeline = 0;
  std::string first, last; // segment names
  std::uint64_t segments = 0;
};

struct PitrWindow
{
  std::string from_backup;
  TimePoint from{}; // the base backup's start
  TimePoint to{};   // archive time of the last segment reachable from it
  std::uint32_t to_timeline = 0;
  std::string to_segment;
};

struct HeldBackup
{
  std::string backup_id;
  std::string reason;
  std::optional<std::string> until;
  std::string created_by, created_at;
  bool backup_gone = false; // the held backup is missing or deleted
};

struct Scope
{
  std::string kind;                  // "database" or "cluster"
  std::string name;                  // database name or system identifier
  std::optional<std::string> source; // database scopes: dumps' server; nullopt: default
  std::vector<BackupFact> backups;   // present (not deleted), oldest first
  std::optional<TimePoint> newest_backup, oldest_backup;
  std::optional<TimePoint> last_good_test; // newest passing restore-level verification
  std::optional<std::string> last_good_backup;
  // That test restore found the copy identical to the source at backup time.
  std::optional<catalog::SourceMatch> last_good_identical;
  std::vector<double> restore_seconds; // recent passing restores and test restores, newest first
  std::optional<PitrWindow> pitr;      // clusters only; nullopt: no WAL reachable
  // Clusters without an archived window: base backups whose WAL to
  // consistency is complete (carried by the backup itself, -X fetch/stream),
  // restorable to that one point each.
  std::size_t consistent_points = 0;
  std::vector<WalGapFact> wal_gaps; // clusters only
  std::int64_t objects_missing = 0;
  std::int64_t backups_failing_checks = 0;
  std::vector<HeldBackup> holds;         // active holds
  std::int64_t backups_deleted = 0;      // in the period
  std::int64_t wal_deleted = 0;          // in the period (clusters)
  std::int64_t held_backups_deleted = 0; // deleted while an active hold covered them
};

// "prod-eu/shop" for a database of a named source, else the name: how a
// scope is told apart in titles and metric labels.
std::string qualified_name(const Scope& scope);

struct AuditEvent
{
  std::string at, actor, action, subject, severity;
};

struct ReportFacts
{
  TimePoint as_of{};
  TimePoint period_start{};
  std::vector<Scope> scopes;
  std::vector<AuditEvent> events;         // retention and hold events in the period
  std::int64_t objects_with_problems = 0; // present objects the scan could not read or classify
};

// Restore runs and test restores considered for measured restore durations.
inline constexpr int kRecentRestores = 20;

ReportFacts gather_facts(catalog::Database& db, TimePoint as_of, TimePoint period_start);

} // namespace lastgood::compliance
