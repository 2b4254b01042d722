#pragma once
// `lastgood fingerprint --attach ID`: a source fingerprint for a backup that
// another tool took (pg_dump of its own, a pgBackRest or Barman backup), best
// read in the snapshot that tool used (--snapshot). `lastgood backup` takes
// its own in pg_dump's snapshot (backup/logical_backup.hpp).

#include "catalog/database.hpp"
#include "pg/table_fingerprint.hpp"

#include <string>

namespace lastgood::backup {

struct AttachFingerprintRequest
{
  std::string conninfo;
  pg::FingerprintMode mode = pg::FingerprintMode::Counts;
  std::string snapshot; // an exported snapshot; empty: the database as it is now
  std::string backup;   // ID or unique prefix
};

struct AttachedFingerprint
{
  std::string backup_id;
  pg::DatabaseFingerprint fingerprint;
  bool replaced = false; // the backup had one before
};

// The source fingerprint `fingerprint` shows and --attach records: as of
// `snapshot` when given (its WAL position then approximate), else at an exact
// LSN when the server can give one (pg/exact_fingerprint.hpp).
pg::DatabaseFingerprint fingerprint_source(const std::string& conninfo, pg::FingerprintMode mode,
                                           const std::string& snapshot);

// Takes the fingerprint and records it for the backup with an audit row
// (fingerprint.attached). Throws UsageError for an unknown backup or a
// pg_dumpall script. A base backup's fingerprint names its database and is
// compared after a PITR drill to its LSN when that LSN is exact.
AttachedFingerprint attach_source_fingerprint(catalog::Database& db,
                                              const AttachFingerprintRequest& request);

} // namespace lastgood::backup
