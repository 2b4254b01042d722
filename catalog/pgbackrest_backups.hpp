#pragma once
// A pgBackRest repository in the catalog: each backup of backup/<stanza>/backup.info
// becomes a physical backup (format "pgbackrest") of its cluster, whose
// objects are the files stored in its directory, with its type, prior
// backup and references; the archive's segments get the cluster that
// archive.info names for their archive id. Objects themselves are found,
// hashed and classified by the scan as in any repository.

#include "catalog/database.hpp"
#include "catalog/repositories.hpp"
#include "catalog/scanner.hpp"
#include "storage/storage.hpp"

#include <cstddef>
#include <optional>
#include <string>
#include <vector>

namespace lastgood::catalog {

struct PgbackrestCatalogResult
{
  std::size_t backups = 0;
  std::size_t new_backups = 0;
  std::vector<ScanProblem> problems; // damaged, missing or disagreeing info files...
};

// Throws Error (exit 1) before anything is read when the repository is
// encrypted and `passphrase` is missing or does not decrypt its backup.info;
// says where the passphrase comes from, never what it is.
void require_pgbackrest_passphrase(storage::Storage& storage, const Repository& repository,
                                   const std::optional<std::string>& passphrase);

// "archive/<stanza>/" when that archive's files are encrypted, else nullopt.
// The scan then classifies them by name only instead of finding them
// "corrupt"; the checksum level decrypts them.
std::optional<std::string> unreadable_pgbackrest_archive(storage::Storage& storage,
                                                         const Repository& repository);

// "backup/<stanza>/latest/" of a pgBackRest repository, else nullopt: pgBackRest's
// link to the newest backup. Followed, it would list that backup's files a
// second time under other keys (hashed twice, and "changed" whenever a newer
// backup moves the link); the scan skips what is below it.
std::optional<std::string> pgbackrest_latest_link_prefix(const Repository& repository);

// Call inside a transaction, after the repository's objects are recorded.
// Problems with the repository are returned, never thrown.
PgbackrestCatalogResult catalog_pgbackrest_stanza(Database& db, const Repository& repository,
                                                  storage::Storage& storage, const std::string& now,
                                                  const std::optional<std::string>& passphrase);

} // namespace lastgood::catalog
