#pragma once
// A base backup's source fingerprint, compared after a PITR drill to exactly
// the LSN it was taken at (pg/exact_fingerprint.hpp). Only an exact LSN is
// proof: recovery to an approximate one may replay commits the fingerprint
// never counted, so those are recorded as not compared, with the reason.

#include "catalog/backup_queries.hpp"
#include "catalog/database.hpp"
#include "catalog/verification_runs.hpp"
#include "pg/table_fingerprint.hpp"
#include "verifier/finding.hpp"

#include <optional>
#include <string>

namespace lastgood::pg {
class ScratchCluster;
}

namespace lastgood::verifier {

struct FingerprintDrill
{
  std::optional<pg::DatabaseFingerprint> source; // set: recover to target_lsn and compare
  std::string target_lsn;                        // source->wal_lsn
  std::string note; // why the backup's fingerprint is not compared, when it is not
};

// What the restore test of a base backup does with its source fingerprint.
// has_pitr_target_time: the drill has a target of its own (verify --level pitr).
FingerprintDrill plan_fingerprint_drill(catalog::Database& db, const catalog::BackupRow& backup,
                                        bool has_pitr_target_time);

struct FingerprintComparison
{
  Findings findings; // fingerprint_mismatch per table (failure), or why it could not be read
  std::optional<catalog::SourceMatch> match;
  std::string note; // "identical to the source at WAL …" when it matched
};

// Fingerprints the drill's database in the recovered cluster and compares.
FingerprintComparison compare_recovered(const FingerprintDrill& drill, pg::ScratchCluster& cluster,
                                        const catalog::BackupRow& backup);

} // namespace lastgood::verifier
