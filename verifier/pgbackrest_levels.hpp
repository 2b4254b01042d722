#pragma once
// The structure and restore levels for pgBackRest backups (format
// "pgbackrest"), read with lastgood's own reader (formats/pgbackrest):
// structure checks that backup.info, archive.info and the backup's manifest
// agree, that every file resolves through the references to stored bytes,
// that no page-checksum error was recorded while backing up, and that the
// WAL from archive-start to archive-stop is in the archive, whole and of this
// cluster. Restore materialises the backup into a scratch data directory.

#include "catalog/backup_queries.hpp"
#include "storage/storage.hpp"
#include "verifier/finding.hpp"
#include "verifier/pgdata_extract.hpp"

#include <cstdint>
#include <optional>
#include <string>

namespace lastgood::verifier {

namespace finding_kind {
// pgBackRest found pages whose checksum failed while it copied a file.
inline constexpr const char* page_checksum_error = "page_checksum_error";
} // namespace finding_kind

// "backup/<stanza>/<label>" of a cataloged pgBackRest backup.
struct PgbackrestBackupPlace
{
  std::string stanza, label;
};
PgbackrestBackupPlace pgbackrest_place(const catalog::BackupRow& backup);

// repo_passphrase: an encrypted repository's passphrase (common/cipher_pass),
// else nullopt. Without it, or with a wrong one, nothing is checked: an
// error finding saying where the passphrase goes, never a failure.

// wal_segment_size: the cluster's, from the catalog; the archive's own first
// segment header wins when it is readable. read_all_data: also read every
// stored file and check its size and SHA-1 against the manifest (the
// structure level; the restore level does so while materialising).
Findings verify_pgbackrest_structure(storage::Storage& repo, const catalog::BackupRow& backup,
                                     std::uint64_t wal_segment_size, bool read_all_data,
                                     const std::optional<std::string>& repo_passphrase);

// Writes the backup into data_dir (absent or empty) as its data directory,
// owned by `owner` when given. Damaged files are failures; a repository that
// cannot be read is an error; ok() says whether a server may start on it.
ExtractResult materialise_pgbackrest_backup(storage::Storage& repo,
                                            const catalog::BackupRow& backup,
                                            const std::string& data_dir, std::optional<Owner> owner,
                                            const std::optional<std::string>& repo_passphrase);

} // namespace lastgood::verifier
