#pragma once
// The replay path to a target timeline, as PostgreSQL builds it from the target
// timeline's .history file (readTimeLineHistory), and which timeline's file
// each segment is read from (XLogFileReadAnyTLI: the newest timeline on the
// path that began at or before that segment).

#include "catalog/wal_chain.hpp"

#include <cstdint>
#include <optional>
#include <vector>

namespace lastgood::restore {

struct PathStep
{
  std::uint32_t timeline = 0;
  std::uint64_t begin = 0;          // LSN where the timeline begins on this path (0 for the oldest)
  std::optional<std::uint64_t> end; // switch LSN to the next step; nullopt for the target timeline
};

// nullopt when target > 1 and its history file is not in the catalog.
std::optional<std::vector<PathStep>>
timeline_path(const std::map<std::uint32_t, catalog::TimelineHistoryFile>& histories,
              std::uint32_t target_timeline);

// The step holding `lsn` on `timeline`, or nullptr when that timeline is not on
// the path or the path has left it before lsn.
const PathStep* step_for(const std::vector<PathStep>& path, std::uint32_t timeline,
                         std::uint64_t lsn);

// recovery_target_timeline = 'latest' from a backup on `from`: PostgreSQL probes
// from+1.history, from+2.history, ... and stops at the first missing one.
std::uint32_t
latest_timeline(const std::map<std::uint32_t, catalog::TimelineHistoryFile>& histories,
                std::uint32_t from);

struct SegmentSpan
{
  std::uint32_t timeline = 0;
  std::uint64_t first = 0, last = 0; // inclusive; empty when last < first
};

// Segments first..last along the path, split by the timeline each is read from.
std::vector<SegmentSpan> segment_spans(const std::vector<PathStep>& path, std::uint64_t first,
                                       std::uint64_t last, std::uint64_t segment_size);

} // namespace lastgood::restore
