#include "catalog/usable_segments.hpp"

#include <algorithm>

namespace lastgood::catalog {

void UsableSegments::set(std::uint32_t timeline,
                         std::vector<std::pair<std::uint64_t, std::uint64_t>> islands)
{
  m_islands[timeline] = std::move(islands);
}

const std::pair<std::uint64_t, std::uint64_t>* UsableSegments::island_of(std::uint32_t timeline,
                                                                         std::uint64_t segno) const
{
  auto t = m_islands.find(timeline);
  if (t == m_islands.end()) return nullptr;
  const auto& islands = t->second;
  // The last island starting at or before segno.
  auto after =
      std::upper_bound(islands.begin(), islands.end(), segno,
                       [](std::uint64_t s, const auto& island) { return s < island.first; });
  if (after == islands.begin()) return nullptr;
  const auto& island = *std::prev(after);
  return segno <= island.second ? &island : nullptr;
}

bool UsableSegments::has(std::uint32_t timeline, std::uint64_t segno) const
{
  return island_of(timeline, segno) != nullptr;
}

std::optional<std::uint64_t>
UsableSegments::first_missing(std::uint32_t timeline, std::uint64_t first, std::uint64_t last) const
{
  if (last < first) return std::nullopt;
  const auto* island = island_of(timeline, first);
  if (!island) return first;
  if (island->second >= last) return std::nullopt;
  return island->second + 1;
}

std::vector<std::pair<std::uint64_t, std::uint64_t>>
islands_of(const std::vector<std::uint64_t>& sorted_segnos)
{
  std::vector<std::pair<std::uint64_t, std::uint64_t>> out;
  for (auto segno : sorted_segnos) {
    if (!out.empty() && segno <= out.back().second + 1) {
      out.back().second = std::max(out.back().second, segno);
      continue;
    }
    out.emplace_back(segno, segno);
  }
  return out;
}

} // namespace lastgood::catalog
