#pragma once
// The verification levels of a Barman backup (format "barman",
// catalog/barman_backups), which pg_basebackup's rules would misjudge:
// Barman keeps tablespaces beside data/ and its WAL compressed in wals/.
//   checksum:  every stored file but backup.info (Barman rewrites it)
//              against the catalog's hashes of first sight (Barman keeps
//              none): XXH3-128 routinely, SHA-256 with --cryptographic or
//              when verify.sha256_every says so (like verify_checksums),
//              and, where the backup has one,
//              against data/backup_manifest (like `barman verify-backup`).
//   structure: Barman's own status (DONE) and the backup's WAL range
//              (begin_wal..end_wal) present, listed and valid
//              (formats/barman/wal_range_check; like `barman check-backup`,
//              which looks at presence only).
//   restore:   materialise_for_restore fills a scratch data directory.

#include "catalog/backup_queries.hpp"
#include "storage/storage.hpp"
#include "verifier/checksum_level.hpp"
#include "verifier/finding.hpp"
#include "verifier/pgdata_extract.hpp"

#include <vector>

namespace lastgood::verifier {

namespace finding_kind {
// Barman did not finish the backup (status FAILED, WAITING_FOR_WALS...).
inline constexpr const char* barman_status = "barman_status";
} // namespace finding_kind

// Throws only when verification cannot be done at all. stats: as
// verify_checksums fills them (which hash compared each object, the SHA-256
// reads whose XXH3-128 the catalog may fill in).
Findings verify_barman_checksums(storage::Storage& storage, const catalog::BackupRow& backup,
                                 const std::vector<catalog::BackupObjectRow>& objects,
                                 const ChecksumOptions& options, ChecksumStats* stats = nullptr);

// StorageError when storage fails (the caller reports it as an error).
Findings verify_barman_structure(storage::Storage& storage, const catalog::BackupRow& backup);

// Writes the backup into options.data_dir with lastgood's own reader
// (formats/barman/materialise), tablespaces into options.tablespace_dir, owned
// by options.owner. The WAL comes from the archive (wal-fetch).
ExtractResult materialise_barman_backup(storage::Storage& storage, const catalog::BackupRow& backup,
                                        const ExtractOptions& options);

} // namespace lastgood::verifier
