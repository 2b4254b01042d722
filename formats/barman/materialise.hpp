#pragma once
// A Barman backup turned back into a PostgreSQL data directory, by lastgood
// itself: the data/ tree (backup_method postgres plain, or rsync), or the
// base.tar[.gz|.lz4|.zst] (backup_compression, tar format) or data.tar[.gz]
// plus one tar per tablespace. Tablespaces land in <tablespace dir>/<oid>/,
// linked from <target>/pg_tblspc/<oid> (PostgreSQL accepts nothing but links
// there), as `barman recover --tablespace` does. Checked against
// backup_manifest when the backup has one.

#include "formats/barman/backup_info.hpp"
#include "formats/barman/finding.hpp"
#include "formats/barman/server_directory.hpp"
#include "storage/storage.hpp"

#include <cstdint>
#include <filesystem>
#include <vector>

namespace lastgood::formats::barman {

struct MaterialiseResult
{
  std::uint64_t files = 0;
  std::uint64_t bytes = 0;
  bool manifest_checked = false; // a backup_manifest was found and every file compared
  std::vector<BarmanFinding> findings;
};

struct MaterialiseOptions
{
  // Where the tablespaces go; empty: "<target>.tablespaces" beside the target.
  std::filesystem::path tablespace_dir;
};

// target (and the tablespace directory, when the backup has tablespaces) must
// be missing or empty (UsageError otherwise).
// Damage (missing tar, damaged archive, unsafe member path, manifest
// mismatch) becomes findings; StorageError when reading fails, Error when
// writing the target fails.
MaterialiseResult materialise_backup(storage::Storage& storage, const BarmanServer& server,
                                     const BarmanBackupInfo& backup,
                                     const std::filesystem::path& target,
                                     const MaterialiseOptions& options = {});

} // namespace lastgood::formats::barman
