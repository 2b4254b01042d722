#pragma once
// Restores one cataloged base backup into a private scratch cluster (the
// verifier's restore level without data checks) - to consistency, or with WAL
// from the archive to just before a WAL record - and hands the recovered
// cluster to a reader. How wal search reads pg_class as a backup had it.

#include "catalog/base_backup_candidates.hpp"
#include "catalog/database.hpp"
#include "common/config.hpp"

#include <cstdint>
#include <functional>
#include <optional>
#include <string>

namespace lastgood::pg {
class ScratchCluster;
}

namespace lastgood::restore {

// nullopt when `read` was called; else why the backup could not be read.
std::optional<std::string> inspect_base_backup(catalog::Database& db,
                                               const catalog::BaseBackupRow& row,
                                               std::optional<std::uint64_t> before_lsn,
                                               const std::function<void(pg::ScratchCluster&)>& read,
                                               const VerifyConfig& config,
                                               const std::string& config_path);

} // namespace lastgood::restore
