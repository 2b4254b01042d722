#pragma once
// The structure level: does the backup hang together? A dump's table of
// contents reads and all its data decompresses (pg_restore --list, then
// pg_restore -f /dev/null, because a truncated custom dump still lists
// cleanly); a plain dump ends with pg_dump's completion marker; a base backup
// has backup_label, global/pg_control and the WAL its manifest names, and no
// tar member that would be written outside the data directory.

#include "catalog/backup_queries.hpp"
#include "storage/storage.hpp"
#include "verifier/finding.hpp"

#include <cstdint>
#include <functional>
#include <vector>

namespace lastgood::verifier {

struct StructureContext
{
  // Whether the cataloged WAL archive holds this segment for the backup's cluster.
  std::function<bool(std::uint32_t timeline, std::uint64_t segno)> archived_segment;
  std::uint64_t wal_segment_size = 16u << 20;
  // Read every data block of archive dumps (pg_restore -f /dev/null). Off when
  // a test restore follows: restoring reads every block anyway.
  bool read_all_data = true;
};

Findings verify_structure(storage::Storage& storage, const catalog::BackupRow& backup,
                          const std::vector<catalog::BackupObjectRow>& objects,
                          const StructureContext& context);

} // namespace lastgood::verifier
