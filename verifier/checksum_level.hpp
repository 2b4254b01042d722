#pragma once
// The checksum level of `verify`: every object of a backup re-read and
// compared with the catalog (size, SHA-256), and a base backup's files checked
// against its backup_manifest like pg_verifybackup, all on one read per object.

#include "catalog/backup_queries.hpp"
#include "catalog/verified_hashes.hpp"
#include "common/time.hpp"
#include "storage/storage.hpp"
#include "verifier/checksum_object.hpp"
#include "verifier/finding.hpp"

#include <chrono>
#include <cstdint>
#include <string>
#include <vector>

namespace lastgood::verifier {

struct ChecksumStats
{
  std::uint64_t objects = 0, bytes = 0; // objects read (to their end or not) and bytes read
  std::uint64_t manifest_files = 0;     // manifest files whose bytes were checked
  std::uint64_t objects_xxh3 = 0;       // cataloged objects compared by XXH3-128
  std::uint64_t objects_sha256 = 0;     // cataloged objects compared by SHA-256
  // Read to their end with the catalog's SHA-256: the catalog records when,
  // and fills in the XXH3-128 digests those cataloged before them lack.
  std::vector<catalog::VerifiedHash> verified;
  // "xxh3-128", "sha256", "xxh3-128+sha256"; "" when no cataloged object was read.
  std::string hash_used() const;
};

struct ChecksumOptions
{
  unsigned jobs = 0;          // threads (0 = one per core)
  bool cryptographic = false; // recompute SHA-256 of every object (--cryptographic)
  // Otherwise SHA-256 only for objects sha256_due() picks; XXH3-128 for the rest.
  std::chrono::seconds sha256_every{std::chrono::hours(24 * 90)};
  TimePoint now = now_seconds();
};

// Re-reads every object of the backup on `jobs` threads (0 = one per core),
// largest first, streaming (only backup_manifest is held whole, to parse it).
// An object with XXH3-128 digests in the catalog is compared by them (a large
// one in parallel 64 MiB ranges) unless options.cryptographic or its SHA-256
// is due (sha256_due); the others by SHA-256, computing their XXH3 on the way.
//
// Objects: the catalog's (`objects`, keys relative to the repository); for a
// base backup also whatever storage lists under `backup.root_key + "/"` that
// the catalog does not know yet (checked against the manifest only).
//   gone from storage            -> missing_object (Failure)
//   unreadable (permission, I/O) -> unreadable_object (Error: we could not tell)
//   damaged tar/compression      -> unreadable_object (Failure)
//   size differs from catalog    -> size_mismatch (Failure)
//   SHA-256 differs              -> checksum_mismatch (Failure; detail expected/actual)
//   XXH3-128 of a block differs  -> checksum_mismatch (Failure; detail ranges: the bad bytes)
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
                          const std::vector<catalog::BackupObjectRow>& objects,
                          const ChecksumOptions& options, ChecksumStats* stats = nullptr);
// The same with default options and `jobs` threads.
Findings verify_checksums(storage::Storage& storage, const catalog::BackupRow& backup,
                          const std::vector<catalog::BackupObjectRow>& objects, unsigned jobs,
                          ChecksumStats* stats = nullptr);

// What verify_checksums does once it knows its objects (other layouts, e.g.
// Barman's, build their own jobs): reads them on `jobs` threads (0 = one per
// core), largest first, those compared by XXH3-128 and larger than a block in
// parallel block ranges, each compared with the catalog and, with a manifest,
// fed to it (whose findings are added last). Returns `findings` with theirs,
// ordered by subject; adds to totals.
Findings check_objects(storage::Storage& storage, std::vector<ObjectJob> work,
                       ManifestVerifier* manifest, unsigned jobs, Findings findings,
                       ChecksumStats& totals);

} // namespace lastgood::verifier
