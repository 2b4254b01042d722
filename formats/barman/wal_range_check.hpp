#pragma once
// A backup's required WAL (begin_wal..end_wal of its backup.info): every
// segment on disk where Barman keeps it, listed in xlog.db with its size,
// decompressing to one whole segment whose page headers belong to it; the
// backup's own .backup history file (when archived) agreeing with backup.info
// (same start LSN, stop point inside the range);
// the timeline's .history file present when the timeline is above 1.

#include "formats/barman/backup_info.hpp"
#include "formats/barman/finding.hpp"
#include "formats/barman/server_directory.hpp"
#include "storage/storage.hpp"

#include <cstdint>
#include <vector>

namespace lastgood::formats::barman {

struct WalRangeResult
{
  std::uint64_t segments_needed = 0;
  std::uint64_t segments_valid = 0;
  std::vector<BarmanFinding> findings;
};

// Throws ValidationError when the backup.info lacks begin_wal/end_wal (a
// backup Barman never finished: nothing to check) or they are out of order;
// StorageError when storage fails.
WalRangeResult check_backup_wal_range(storage::Storage& storage, const BarmanServer& server,
                                      const BarmanBackupInfo& backup);

} // namespace lastgood::formats::barman
