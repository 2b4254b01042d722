#pragma once
// What the cataloged WAL archive covers, per cluster and timeline:
// contiguous ranges of segments, the gaps between them, and the timeline tree.

#include <cstdint>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

#include "catalog/sqlite.hpp"

namespace lastgood::catalog {

struct SegmentRange {
  std::uint64_t first_segno = 0, last_segno = 0;
  std::string first_name, last_name;
};

struct TimelineWal {
  std::uint32_t timeline = 0;
  std::optional<std::uint32_t> parent;
  std::optional<std::uint64_t> switch_lsn;     // where this timeline branched from its parent
  std::optional<std::uint64_t> child_switch_lsn;  // where a child branched off this one
  std::vector<SegmentRange> ranges;
  std::vector<SegmentRange> gaps;              // missing segments between/after ranges
  std::uint64_t segments = 0;
  std::uint64_t partial_segments = 0;
};

struct ClusterWal {
  std::optional<std::string> system_identifier;  // nullopt: segments whose header could not be read
  std::uint64_t segment_size = 0;
  std::vector<TimelineWal> timelines;
  std::vector<std::string> problems;             // "<key>: <what is wrong>"
};

std::vector<ClusterWal> wal_summary(Database& db, const std::optional<std::string>& system_identifier);
nlohmann::json to_json(const ClusterWal& cluster);
bool has_gaps(const std::vector<ClusterWal>& clusters);

} // namespace lastgood::catalog
