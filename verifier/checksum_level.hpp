#pragma once
// The checksum level of `verify`: every object of a backup re-read and
// compared with the catalog (size, SHA-256), and a base backup's files checked
// against its backup_manifest like pg_verifybackup, all on one read per object.

#include "catalog/backup_queries.hpp"
#include "storage/storage.hpp"
#include "verifier/finding.hpp"

#include <cstdint>
#include <vector>

namespace lastgood::verifier {

struct ChecksumStats
{
  std::uint64_t objects = 0, bytes = 0; // objects read (to their end or not) and bytes read
  std::uint64_t manifest_files = 0;     // manifest files whose bytes were checked
};

// Re-reads every object of the backup on `jobs` threads (0 = one per core),
// largest first, streaming (only backup_manifest is held whole, to parse it).
//
// Objects: the catalog's (`objects`, keys relative to the repository); for a
// base backup also whatever storage lists under `backup.root_key + "/"` that
// the catalog does not know yet (checked against the manifest only).
//   gone from storage            -> missing_object (Failure)
//   unreadable (permission, I/O) -> unreadable_object (Error: we could not tell)
//   damaged tar/compression      -> unreadable_object (Failure)
//   size differs from catalog    -> size_mismatch (Failure)
//   SHA-256 differs              -> checksum_mismatch (Failure; detail expected/actual)
//   no SHA-256 in the catalog    -> unreadable_object (Warning: nothing to compare with)
// Base backups (format base_plain / base_tar), against backup_manifest:
//   manifest unparsable or its own checksum wrong -> manifest_invalid (Failure; files are
//                                    then checked against the catalog only)
//   no backup_manifest at all     -> manifest_invalid (Warning: PG12-, --no-manifest; files
//                                    are then checked against the catalog only)
//   file size/checksum differs    -> manifest_mismatch; listed but absent -> manifest_missing_file;
//   present but not listed        -> manifest_extra_file (all Failure)
// Paths pg_verifybackup ignores are ignored (backup_manifest, pg_wal/, pg_wal.tar*,
// postgresql.auto.conf, recovery.signal, standby.signal). Tar members of base.tar* map to
// their data directory path, those of <oid>.tar* to pg_tblspc/<oid>/<path>.
//
// Throws only when verification cannot be done at all (e.g. the repository
// cannot be listed); problems with objects are findings.
Findings verify_checksums(storage::Storage& storage, const catalog::BackupRow& backup,
                          const std::vector<catalog::BackupObjectRow>& objects, unsigned jobs,
                          ChecksumStats* stats = nullptr);

} // namespace lastgood::verifier
