#pragma once
// A Barman backup turned back into a PostgreSQL data directory, by lastgood
// itself: the data/ tree (backup_method postgres plain, or rsync), or the
// base.tar[.gz|.lz4|.zst] (backup_compression, tar format) or data.tar[.gz]
// plus one tar per tablespace. Tablespaces land in <target>/pg_tblspc/<oid>/
// (directories, not links: the target is one self-contained tree). Checked
// against backup_manifest when the backup has one.

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

// target must be missing or an empty directory (UsageError otherwise).
// Damage (missing tar, damaged archive, unsafe member path, manifest
// mismatch) becomes findings; StorageError when reading fails, Error when
// writing the target fails.
MaterialiseResult materialise_backup(storage::Storage& storage, const BarmanServer& server,
                                     const BarmanBackupInfo& backup,
                                     const std::filesystem::path& target);

} // namespace lastgood::formats::barman
