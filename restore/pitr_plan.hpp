#pragma once
// Point-in-time recovery planning from the catalog alone: which base backup,
// which archived WAL files in which order, across which timeline switches, to
// reach a target — or exactly why the target cannot be reached and what the
// nearest reachable one is. Nothing here touches PostgreSQL except the optional
// pg_waldump refinement of time targets (pg/waldump_times.hpp).
//
// Stable API (other rooms and branches build on it): fields are only ever added.

#include "catalog/database.hpp"
#include "common/cipher_pass.hpp"
#include "common/time.hpp"
#include "pg/lsn.hpp"

#include <chrono>
#include <cstdint>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace lastgood::restore {

enum class TargetKind {
  Time,      // recovery_target_time: stop before the first commit after `time`
  Lsn,       // recovery_target_lsn: stop after the first record at or after `lsn`
  Immediate, // recovery_target = 'immediate': stop as soon as the backup is consistent
  Latest,    // no target: replay every archived segment of the target timeline
  Xid,       // recovery_target_xid: stop at the commit (or abort) record of `xid`
};

// Target times keep PostgreSQL's microseconds (marker commits a second apart matter).
using TimeUs = std::chrono::sys_time<std::chrono::microseconds>;

struct PitrTarget
{
  TargetKind kind = TargetKind::Latest;
  std::optional<TimeUs> time;       // kind == Time
  std::optional<pg::Lsn> lsn;       // kind == Lsn
  std::optional<std::uint32_t> xid; // kind == Xid
  // recovery_target_inclusive: false stops just before the target (--exclusive);
  // for Time, Lsn and Xid only.
  bool inclusive = true;
};

// Where a transaction ended in WAL, read from its commit or abort record.
struct TransactionEnd
{
  std::uint32_t xid = 0;
  pg::Lsn first_lsn;               // its first record found (in the end's segment or later)
  pg::Lsn end_lsn;                 // the commit/abort record
  std::uint32_t timeline = 0;      // the timeline whose file holds it
  std::optional<std::string> time; // commit time, RFC 3339 UTC with microseconds
  std::string kind;                // commit | abort
};

// RFC 3339 with optional fractional seconds (to the microsecond) and offset;
// throws ValidationError.
TimeUs parse_target_time(std::string_view text);
std::string format_target_time(TimeUs time);
// A transaction ID for recovery_target_xid: decimal, 3 .. 4294967295 (0-2 are
// special); throws ValidationError.
std::uint32_t parse_target_xid(
    std::string_view text); // "2026-11-22T04:11:02.066106Z" (fraction only when non-zero)

struct PlanRequest
{
  std::optional<std::string> cluster; // system identifier; needed when the catalog knows several
  PitrTarget target;
  std::optional<std::uint32_t> timeline; // recovery_target_timeline N; nullopt = 'latest'
  std::optional<std::string> backup_id;  // only consider this base backup (ID or unique prefix)
  // Refine time targets with pg_waldump commit records when the server tools
  // are installed (results are cached in the catalog, migration 0005).
  bool use_waldump = true;
  // Encrypted pgBackRest archives' passphrases, for reading commit records.
  CipherPassLookup cipher_pass = {};
};

struct PlannedBackup
{
  std::int64_t id = 0;   // catalog backups.id
  std::string backup_id; // human ID, e.g. 20261122T0200-base-7f3a
  std::int64_t repository_id = 0;
  std::string repository;     // repository name
  std::string root_key;       // the backup's directory in that repository
  std::string format;         // base_plain | base_tar
  std::string status;         // good | unverified (never bad)
  std::uint32_t timeline = 0; // start timeline (backup_label)
  std::uint32_t stop_timeline = 0;
  pg::Lsn start_lsn, stop_lsn; // replay starts at start_lsn, consistent at stop_lsn
  std::optional<std::string> start_time, stop_time; // RFC 3339 UTC
};

enum class WalFileKind { Segment, History };

// One archived file recovery will ask restore_command for, in the order it asks.
struct PlannedWalFile
{
  WalFileKind kind = WalFileKind::Segment;
  std::int64_t object_id = 0; // catalog objects.id
  std::int64_t repository_id = 0;
  std::string repository; // repository name
  std::string key;        // object key in that repository
  std::string name;       // what PostgreSQL asks for (%f): 24 hex digits or TTTTTTTT.history
  std::uint32_t timeline = 0;
  std::uint64_t segno = 0; // segments only
  std::string compression; // "", "gz", "zst"
  std::uint64_t size = 0;  // stored (compressed) size
  std::optional<std::string> sha256;
};

// A stretch of replay on one timeline.
struct TimelineStep
{
  std::uint32_t timeline = 0;
  pg::Lsn begin; // where replay enters it (backup start, or the switch LSN)
  std::optional<pg::Lsn>
      switch_lsn; // where replay leaves it for the next step; nullopt for the last
  std::uint64_t first_segno = 0, last_segno = 0; // segments read from this timeline's files
  std::uint64_t segments = 0;                    // 0 when the switch segment is read from the child
};

struct RecoveryPoint
{
  pg::Lsn lsn;
  std::uint32_t timeline = 0;
  std::optional<std::string> time; // RFC 3339 UTC, when known
  std::string
      precision; // how lsn/time are known, e.g. "exact: backup stop", "approximate: archive time"
};

enum class UnreachableReason {
  NoCluster,               // no WAL or base backup of that cluster in the catalog
  NoBaseBackup,            // no usable base backup is consistent before the target
  MissingSegment,          // a needed segment is not in the archive
  MissingHistory,          // a needed timeline .history file is not in the archive
  TimelineNotReachable,    // the target timeline's history does not contain the backup's
                           // timeline/position
  TargetBeforeConsistency, // the target precedes every usable backup's consistent point
  XidNotFound,             // no commit or abort record of the target xid in the archived WAL
};

struct Unreachable
{
  UnreachableReason reason = UnreachableReason::NoBaseBackup;
  std::string message;                     // one sentence: what and what to do
  std::optional<std::string> missing_name; // the first missing file PostgreSQL would ask for
  std::optional<std::string>
      foreign_cluster;                  // a file of that name exists, but from this other cluster
  std::optional<RecoveryPoint> nearest; // the nearest target that is reachable
};

struct PitrPlan
{
  std::string system_identifier;
  std::uint64_t segment_size = 0;
  PitrTarget target;
  std::uint32_t target_timeline = 0;
  bool reachable = false;
  std::optional<PlannedBackup> backup; // set when reachable (and when a backup was tried)
  std::vector<PlannedWalFile> wal;     // history files first, then segments in replay order
  // Segments the archive lacks that the base backup carries itself (-X
  // fetch/stream): recovery reads them from the restored pg_wal/.
  std::vector<std::string> backup_wal;
  std::vector<TimelineStep> timelines; // replay path, oldest first
  std::optional<RecoveryPoint>
      target_point; // where the target lies in WAL (estimate for time targets)
  std::optional<RecoveryPoint>
      earliest; // earliest reachable recovery point (oldest usable backup's consistency)
  std::optional<RecoveryPoint> latest; // latest reachable (end of the last contiguous segment)
  std::vector<std::string>
      warnings; // e.g. unverified base backup, target after the end of the archive
  std::vector<std::string> notes;            // how times were mapped to WAL and how precise that is
  std::optional<Unreachable> unreachable;    // set when !reachable
  std::optional<TransactionEnd> transaction; // Xid targets: where it ends in WAL
};

// Plans recovery. Throws UsageError for bad requests (several clusters and no
// --cluster, a backup ID that is not a base backup, a target without its value),
// DatabaseError for catalog failures. An unreachable target is a result, not an error.
PitrPlan plan_pitr(catalog::Database& db, const PlanRequest& request);

std::string to_string(TargetKind kind);          // "time", "lsn", "immediate", "latest"
std::string to_string(UnreachableReason reason); // "missing_segment", ...
std::string to_string(WalFileKind kind);         // "segment", "history"
nlohmann::json to_json(const PitrPlan& plan);
nlohmann::json to_json(const RecoveryPoint& point);

} // namespace lastgood::restore
