#pragma once
// `wal-fetch WALFILE DEST`, PostgreSQL's restore_command: finds one archived
// WAL segment or timeline history file in the catalog, copies it to DEST
// (decompressing .gz/.zst) through a temporary file and a rename, and checks
// the bytes read against the catalog's SHA-256 on the way. A file that is not
// in the archive is an ordinary answer (PostgreSQL asks for files that do not
// exist yet, e.g. the next timeline's history): it returns at once, no retries.

#include "catalog/database.hpp"
#include "common/cipher_pass.hpp"

#include <optional>
#include <string>

namespace lastgood::restore {

struct WalFetchRequest
{
  std::string name;                   // %f: "000000010000000000000003", "00000002.history"
  std::string destination;            // %p: where PostgreSQL wants it (relative to its cwd)
  std::optional<std::string> cluster; // system identifier; needed when several clusters share names
  // PostgreSQL runs restore_command in its data directory: without `cluster`,
  // the asking cluster is the one its global/pg_control names.
  std::optional<std::string> data_directory = std::nullopt;
  // Passphrases of encrypted pgBackRest repositories (their archive.info
  // holds the WAL files' own passphrase); unset: none is known.
  CipherPassLookup cipher_pass = {};
};

enum class WalFetchOutcome { Fetched, NotInArchive };

struct WalFetchResult
{
  WalFetchOutcome outcome = WalFetchOutcome::NotInArchive;
  std::string key; // the object copied
  std::string repository;
  std::uint64_t bytes = 0; // written to DEST
  std::string message;     // for NotInArchive: why
  // NotInArchive because the only copies belong to another cluster (its system
  // identifier): never handed to PostgreSQL. `wal-fetch` exits 3 for this.
  std::optional<std::string> foreign_cluster;
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

// Never serves another cluster's WAL: the copy is chosen for the asking
// cluster (request.cluster, else the data directory's pg_control), and the
// first page header of the bytes written (xlp_sysid, xlp_pageaddr) is checked
// before DEST appears (written to a temporary name, then renamed). Throws
// ValidationError when the bytes do not match the catalog or the name,
// Error (exit 3) when they belong to another cluster, UsageError when the
// asking cluster cannot be told and the name is ambiguous; StorageError when
// the repository fails. DEST is never created then.
WalFetchResult wal_fetch(catalog::Database& db, const WalFetchRequest& request);

} // namespace lastgood::restore
