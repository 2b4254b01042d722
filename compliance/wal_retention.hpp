#pragma once
// Which archived WAL segments retention may delete. Pure.
//
// A kept base backup needs every segment from its start onward (its own
// start..stop to become consistent, and everything after for point-in-time
// recovery from it), so per cluster only the segments wholly before the
// start LSN of the oldest kept base backup may go, on every timeline (LSNs
// are continuous across timelines, so this is conservative). Nothing is
// deleted for a cluster without a kept base backup, when a kept base backup's
// start LSN or cluster is unknown, for segments whose cluster is unknown, or
// under a storage lock. Timeline .history and .backup files are never deleted.

#include "compliance/retention_facts.hpp"
#include "compliance/retention_policy.hpp"

#include <cstdint>
#include <string>
#include <vector>

namespace lastgood::compliance {

// Contiguous segments of one timeline in one repository, to be deleted together.
struct WalRange
{
  std::string repository, system_identifier;
  std::uint32_t timeline = 0;
  std::string first, last;           // segment names
  std::vector<std::size_t> segments; // indexes into the WAL facts
  std::uint64_t bytes = 0;
};

struct WalDecision
{
  std::vector<WalRange> delete_ranges;
  std::vector<std::string>
      notes; // per cluster: from where WAL is kept and why, or why nothing goes
};

WalDecision decide_wal(const std::vector<BackupFacts>& backups,
                       const std::vector<BackupDecision>& decisions,
                       const std::vector<WalSegmentFacts>& wal, TimePoint now);

} // namespace lastgood::compliance
