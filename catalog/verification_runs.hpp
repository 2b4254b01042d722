#pragma once
// Verification history in the catalog. Every run is a new row; a backup's
// status is derived from its runs (refresh_backup_status), never set by hand.

#include "catalog/database.hpp"
#include "catalog/local_process.hpp"
#include "catalog/verification_leases.hpp"

#include <chrono>
#include <cstdint>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

namespace lastgood::catalog {

struct FindingRecord
{
  std::string kind;
  std::string severity; // warning | failure | error
  std::string subject;
  std::string message;
  nlohmann::json detail;
};

struct RowCountRecord
{
  std::string schema_name;
  std::string table_name;
  std::int64_t row_count = 0;
};

// A test restore whose copy matched the source fingerprint in every table.
struct SourceMatch
{
  std::string mode; // counts | full
  std::int64_t tables = 0;
};

struct RunRecord
{
  std::int64_t id = 0;
  std::int64_t backup_row_id = 0;
  std::string backup_id;
  std::string level, trigger, outcome;
  std::string started_at;
  std::optional<std::string> finished_at, scratch, scratch_database;
  std::optional<double> duration_seconds;
  std::string host;
  std::int64_t pid = 0;
  std::string tool_version;
  std::int64_t findings = 0;
  std::optional<SourceMatch> source_match;  // "identical to the source at backup time"
  std::optional<std::string> checksum_hash; // xxh3-128 | sha256 | xxh3-128+sha256 (0016)
};

// Starts a run (outcome 'running') and returns its id.
std::int64_t begin_run(Database& db, std::int64_t backup_row_id, const std::string& level,
                       const std::string& trigger, const std::optional<std::string>& scratch);
void set_run_scratch_database(Database& db, std::int64_t run_id, const std::string& name);
// Where recovery stopped in a test restore of a base backup (JSON); set before finish_run.
void set_run_recovery_point(Database& db, std::int64_t run_id, const std::string& json);
// The restored copy matched the source fingerprint; set before finish_run.
void set_run_source_match(Database& db, std::int64_t run_id, const SourceMatch& match);

// Records the outcome with its findings and row counts, and refreshes the backup's status;
// nothing when the run is closed already.
void finish_run(Database& db, std::int64_t run_id, const std::string& outcome,
                double duration_seconds, const std::vector<FindingRecord>& findings,
                const std::vector<RowCountRecord>& row_counts);

// good: the newest restore-level verdict passed and no checksum/structure run
// failed since; bad: it failed, or such a run failed since; else unverified.
void refresh_backup_status(Database& db, std::int64_t backup_row_id);

std::vector<RunRecord> list_runs(Database& db, std::optional<std::int64_t> backup_row_id,
                                 int limit = 200);
std::optional<RunRecord> find_run(Database& db, std::int64_t run_id);
std::vector<FindingRecord> run_findings(Database& db, std::int64_t run_id);
std::vector<RowCountRecord> run_row_counts(Database& db, std::int64_t run_id);

// Row counts of the newest passing restore-level run of the same database
// (any backup), other than exclude_run; empty when there is none.
std::vector<RowCountRecord> previous_passing_row_counts(Database& db, const std::string& database,
                                                        std::int64_t exclude_run);

// Runs left 'running' by a process on this host that no longer exists: they
// are closed as 'error' (interrupted) and returned, so their scratch databases
// can be dropped.
std::vector<RunRecord> reap_interrupted_runs(Database& db);
// Closes run_id as 'error' (interrupted) when it is still running: its holder,
// on any host, stopped renewing the lease it ran under. True when it was closed.
bool close_run_of_expired_lease(Database& db, std::int64_t run_id, const std::string& holder);
// Whether a scratch database named for run_id may be dropped: the run is in
// the catalog and is not running in a live process.
bool scratch_database_is_abandoned(Database& db, std::int64_t run_id);

// The newest run id (0 when none): a watermark taken when work is planned.
// Where "verified since the work was planned" starts: the newest run id, or
// just below the oldest run still running (in a live process), whichever is lower. Due planning
// counts only finished runs, so a run in progress at planning time that
// finishes later must count as done since then (else a second verifier
// repeats it once the lease is free).
std::int64_t verification_watermark(Database& db);
std::int64_t newest_run_id(Database& db);
// Whether a run at one of `levels` started for the backup after the watermark
// (another verifier did the work meanwhile).
bool verified_since(Database& db, std::int64_t backup_row_id, std::int64_t watermark,
                    const std::vector<std::string>& levels);
// As verified_since, counting only runs that ended pass or fail: a run still
// 'running' may be a dead holder's, which its lease's taker-over must close.
bool verified_and_ended_since(Database& db, std::int64_t backup_row_id, std::int64_t watermark,
                              const std::vector<std::string>& levels);

nlohmann::json to_json(const RunRecord& run);
nlohmann::json to_json(const SourceMatch& match);
// "identical to the source at backup time (counts of 12 tables)"
std::string describe(const SourceMatch& match);
// The run with its findings listed, as `history --json` and `show --json` print it.
nlohmann::json run_with_findings_json(Database& db, const RunRecord& run);
nlohmann::json to_json(const FindingRecord& finding);

} // namespace lastgood::catalog
