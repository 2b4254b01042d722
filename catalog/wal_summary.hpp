#pragma once
// What the cataloged WAL archive covers, per cluster and timeline:
// contiguous ranges of segments, the gaps between them, and the timeline tree.

#include "catalog/database.hpp"

#include <cstdint>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

namespace lastgood::catalog {

struct SegmentRange
{
  std::uint64_t first_segno = 0, last_segno = 0;
  std::string first_name, last_name;
};

struct TimelineWal
{
  std::uint32_t timeline = 0;
  std::optional<std::uint32_t> parent;
  std::optional<std::uint64_t> switch_lsn;       // where this timeline branched from its parent
  std::optional<std::uint64_t> child_switch_lsn; // where a child branched off this one
  std::vector<SegmentRange> ranges;
  std::vector<SegmentRange> gaps; // missing segments between/after ranges
  std::uint64_t segments = 0;
  std::uint64_t partial_segments = 0;
};

// A segment of this cluster sitting in a directory where most segments belong
// to another cluster: archived from the wrong server, never used for recovery.
struct ForeignSegment
{
  std::string name, repository, key;
  std::string directory_cluster; // system identifier of the directory's own cluster
};

// Whether the WAL a base backup needs to become consistent (start to stop LSN)
// is all there: in the archive or carried by the backup itself.
struct BackupWal
{
  std::string backup_id, status;
  std::string first, last; // segment names start..stop
  bool complete = false;
  std::optional<std::string> missing;   // first missing segment
  std::vector<std::string> from_backup; // segments only the backup itself carries (-X fetch/stream)
  std::optional<std::string> label;
  std::optional<std::string> backup_type; // pgBackRest's full | diff | incr
};

struct ClusterWal
{
  std::optional<std::string> system_identifier; // nullopt: segments whose header could not be read
  std::uint64_t segment_size = 0;
  std::vector<TimelineWal> timelines;
  std::vector<std::string> problems; // "<key>: <what is wrong>"
  std::vector<ForeignSegment>
      foreign_segments;           // segments of this cluster in another cluster's directory
  std::vector<BackupWal> backups; // base backups of this cluster, oldest first
};

std::vector<ClusterWal> wal_summary(Database& db,
                                    const std::optional<std::string>& system_identifier);
nlohmann::json to_json(const ClusterWal& cluster);
bool has_gaps(const std::vector<ClusterWal>& clusters);
// Gaps, problems, foreign segments or a base backup whose required WAL is incomplete.
bool has_problems(const std::vector<ClusterWal>& clusters);

} // namespace lastgood::catalog
