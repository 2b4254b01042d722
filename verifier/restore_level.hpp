#pragma once
// The restore level for logical dumps: restore into a fresh scratch database,
// then run the data checks. The caller creates and always drops the database.

#include "catalog/backup_queries.hpp"
#include "catalog/verification_runs.hpp"
#include "common/config.hpp"
#include "pg/table_fingerprint.hpp"
#include "verifier/finding.hpp"
#include "verifier/scratch_server.hpp"

#include <functional>
#include <optional>
#include <string>
#include <vector>

namespace lastgood::verifier {

struct RestoreRequest
{
  std::string dump_path;        // local file or directory; empty: fed on stdin
  std::string scratch_database; // already created, empty
  unsigned jobs = 1;
  std::vector<catalog::RowCountRecord> previous_counts; // last passing restore of this database
  // The source at backup time (migration 0011); the restored copy must equal it.
  std::optional<pg::DatabaseFingerprint> source_fingerprint;
  int dump_stdin = -1; // with an empty dump_path: the tool's stdin (see dump_feed.hpp)
  // Streamed dumps: called once the tool exited; what reading the stream found
  // (a read error, bytes differing from the catalog's hash) replaces whatever
  // the tool said about its truncated or foreign input.
  std::function<Findings()> finish_input{};
};

struct RestoreResult
{
  Findings findings;
  std::vector<catalog::RowCountRecord> row_counts;
  std::string fingerprint_note; // "identical to the source at backup time: …" when it was
  std::optional<catalog::SourceMatch> source_match; // set when every table matched
};

// The lines of pg_restore/psql output that report errors (redacted).
std::vector<std::string> restore_error_lines(const std::string& output);
// Whether an error only names a role missing on the target server (owners
// and grants of the source): not a problem with the backup.
bool is_missing_role_error(const std::string& line);

// Whether a restore error line is the scratch server's own trouble (disk
// full, out of memory, shutting down) rather than something in the backup.
bool is_scratch_side_error(const std::string& line);

RestoreResult restore_and_check(const catalog::BackupRow& backup, const RestoreRequest& request,
                                ScratchServer& scratch, const VerifyConfig& config);

} // namespace lastgood::verifier
