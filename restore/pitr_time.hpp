#pragma once
// Where a recovery target lies in WAL: its last needed segment along the
// replay path. LSN and 'immediate' targets are exact; a time target is mapped
// through what the catalog knows (archive times of segments, backups' start
// and stop times) and, when pg_waldump is installed, refined with the commit
// records of the segments around it (cached per object, migration 0005).

#include "catalog/wal_chain.hpp"
#include "restore/pitr_path.hpp"
#include "restore/pitr_plan.hpp"

#include <cstdint>
#include <string>
#include <vector>

namespace lastgood::restore {

struct TargetEstimate
{
  std::uint64_t last_segno = 0; // the last segment recovery needs to reach the target
  RecoveryPoint point;          // the target's position in WAL
  std::vector<std::string> notes, warnings;
};

TargetEstimate estimate_target(catalog::Database& db, catalog::WalChain& chain,
                               const PlanRequest& request, const PlannedBackup& backup,
                               const std::vector<PathStep>& path, std::uint64_t segment_size,
                               const std::optional<TransactionEnd>& xid_end = std::nullopt);

// The timeline whose file holds segno on this path.
std::uint32_t timeline_of_segment(const std::vector<PathStep>& path, std::uint64_t segno,
                                  std::uint64_t segment_size);

} // namespace lastgood::restore
