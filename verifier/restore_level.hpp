#pragma once
// The restore level for logical dumps: restore into a fresh scratch database,
// then run the data checks. The caller creates and always drops the database.

#include <string>
#include <vector>

#include "catalog/backup_queries.hpp"
#include "catalog/verification_runs.hpp"
#include "common/config.hpp"
#include "verifier/finding.hpp"
#include "verifier/scratch_server.hpp"

namespace lastgood::verifier {

struct RestoreRequest {
  std::string dump_path;          // local file or directory
  std::string scratch_database;   // already created, empty
  unsigned jobs = 1;
  std::vector<catalog::RowCountRecord> previous_counts;  // last passing restore of this database
};

struct RestoreResult {
  Findings findings;
  std::vector<catalog::RowCountRecord> row_counts;
};

// Whether a restore error line is the scratch server's own trouble (disk
// full, out of memory, shutting down) rather than something in the backup.
bool is_scratch_side_error(const std::string& line);

RestoreResult restore_and_check(const catalog::BackupRow& backup, const RestoreRequest& request,
                                ScratchServer& scratch, const VerifyConfig& config);

} // namespace lastgood::verifier
