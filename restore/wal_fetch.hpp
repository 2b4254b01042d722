#pragma once
// `wal-fetch WALFILE DEST`, PostgreSQL's restore_command: finds one archived
// WAL segment or timeline history file in the catalog, copies it to DEST
// (decompressing .gz/.zst) through a temporary file and a rename, and checks
// the bytes read against the catalog's SHA-256 on the way. A file that is not
// in the archive is an ordinary answer (PostgreSQL asks for files that do not
// exist yet, e.g. the next timeline's history): it returns at once, no retries.

#include "catalog/sqlite.hpp"

#include <optional>
#include <string>

namespace lastgood::restore {

struct WalFetchRequest
{
  std::string name;                   // %f: "000000010000000000000003", "00000002.history"
  std::string destination;            // %p: where PostgreSQL wants it (relative to its cwd)
  std::optional<std::string> cluster; // system identifier; needed when several clusters share names
};

enum class WalFetchOutcome { Fetched, NotInArchive };

struct WalFetchResult
{
  WalFetchOutcome outcome = WalFetchOutcome::NotInArchive;
  std::string key; // the object copied
  std::string repository;
  std::uint64_t bytes = 0; // written to DEST
  std::string message;     // for NotInArchive: why
};

// Where the cataloged file lives, or nullopt. Throws UsageError for a name
// PostgreSQL would not ask for, or when two clusters hold the name and no
// cluster was given.
struct ArchivedWalFile
{
  std::string key, repository_url, repository, compression;
  std::optional<std::string> sha256;
  std::uint64_t size = 0;
  std::uint64_t expected_size = 0; // decompressed size for segments; 0 = unknown
};
std::optional<ArchivedWalFile> find_archived_wal_file(catalog::Database& db,
                                                      const std::string& name,
                                                      const std::optional<std::string>& cluster);

// Throws ValidationError when the bytes do not match the catalog (DEST is
// then not created), StorageError when the repository fails.
WalFetchResult wal_fetch(catalog::Database& db, const WalFetchRequest& request);

} // namespace lastgood::restore
