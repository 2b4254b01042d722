#pragma once
// Which segments of one cluster's timelines are usable for recovery (whole,
// present, header matches name: index wal_segments_usable), held in memory as
// contiguous islands so a whole fleet's base backups can be checked without a
// statement each. Answers what WalChain's segment()/first_missing() answer.

#include <cstdint>
#include <map>
#include <optional>
#include <utility>
#include <vector>

namespace lastgood::catalog {

class UsableSegments
{
public:
  // Islands [first, last] of one timeline, in order, not touching.
  void set(std::uint32_t timeline, std::vector<std::pair<std::uint64_t, std::uint64_t>> islands);
  bool has(std::uint32_t timeline, std::uint64_t segno) const;
  // The first segno in [first, last] with no usable segment, nullopt if none.
  std::optional<std::uint64_t> first_missing(std::uint32_t timeline, std::uint64_t first,
                                             std::uint64_t last) const;

private:
  const std::pair<std::uint64_t, std::uint64_t>* island_of(std::uint32_t timeline,
                                                           std::uint64_t segno) const;
  std::map<std::uint32_t, std::vector<std::pair<std::uint64_t, std::uint64_t>>> m_islands;
};

// Islands of a sorted list of segnos (repeats allowed).
std::vector<std::pair<std::uint64_t, std::uint64_t>>
islands_of(const std::vector<std::uint64_t>& sorted_segnos);

} // namespace lastgood::catalog
