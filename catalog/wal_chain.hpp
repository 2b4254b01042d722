#pragma once
// Indexed questions about one cluster's WAL archive, for recovery planning:
// counts over segment ranges (index wal_segments_usable, migration 0005), the
// first missing segment, timeline history files, the files themselves. None of
// them loads a whole timeline.

#include "catalog/database.hpp"

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

namespace lastgood::catalog {

struct ArchivedFile
{
  std::int64_t object_id = 0;
  std::int64_t repository_id = 0;
  std::string repository;
  std::string key;
  std::string name;
  std::uint32_t timeline = 0;
  std::uint64_t segno = 0;
  std::string compression;
  std::uint64_t size = 0;
  std::int64_t mtime_ns = 0;
  std::optional<std::string> sha256;
};

struct HistoryEntry
{
  std::uint32_t parent_timeline = 0;
  std::uint64_t switch_lsn = 0;
};

struct TimelineHistoryFile
{
  ArchivedFile file;
  std::vector<HistoryEntry> entries; // ancestors oldest first, as in the file
};

class WalChain
{
public:
  WalChain(Database& db, std::int64_t cluster_id);

  // Usable segments (whole, present, header matches name) of timeline in
  // [first, last], each segno counted once.
  std::uint64_t count_usable(std::uint32_t timeline, std::uint64_t first, std::uint64_t last);
  // The first segno in [first, last] with no usable segment, nullopt if none.
  std::optional<std::uint64_t> first_missing(std::uint32_t timeline, std::uint64_t first,
                                             std::uint64_t last);
  // End of the contiguous run starting at `first` (first itself must exist), at most `limit`.
  std::optional<std::uint64_t> run_end(std::uint32_t timeline, std::uint64_t first,
                                       std::uint64_t limit);
  std::optional<std::uint64_t> max_segno(std::uint32_t timeline);
  // The usable segment, preferring an uncompressed copy, then the newest object.
  std::optional<ArchivedFile> segment(std::uint32_t timeline, std::uint64_t segno);
  // First usable segment of timeline in [first, last] archived (object mtime) after mtime_ns.
  std::optional<std::uint64_t> first_archived_after(std::uint32_t timeline, std::uint64_t first,
                                                    std::uint64_t last, std::int64_t mtime_ns);
  // History files of this cluster by the timeline they describe.
  const std::map<std::uint32_t, TimelineHistoryFile>& histories();
  // A present segment of this name that belongs to another cluster (its system
  // identifier), or whose header did not match: what explains a gap.
  std::optional<std::string> foreign_cluster_of(std::uint32_t timeline, std::uint64_t segno);
  std::optional<std::string> problem_of(std::uint32_t timeline, std::uint64_t segno);
  std::int64_t cluster_id() const { return m_cluster_id; }

private:
  Database& m_db;
  std::int64_t m_cluster_id;
  Statement m_count;
  std::optional<std::map<std::uint32_t, TimelineHistoryFile>> m_histories;
};

} // namespace lastgood::catalog
