#include "restore/pitr_path.hpp"

#include "pg/lsn.hpp"

#include <algorithm>

namespace lastgood::restore {

std::optional<std::vector<PathStep>>
timeline_path(const std::map<std::uint32_t, catalog::TimelineHistoryFile>& histories,
              std::uint32_t target_timeline)
{
  std::vector<PathStep> path;
  if (target_timeline > 1) {
    auto it = histories.find(target_timeline);
    if (it == histories.end()) return std::nullopt;
    auto entries = it->second.entries;
    std::sort(entries.begin(), entries.end(),
              [](const auto& a, const auto& b) { return a.switch_lsn < b.switch_lsn; });
    std::uint64_t begin = 0;
    for (const auto& e : entries) {
      path.push_back({e.parent_timeline, begin, e.switch_lsn});
      begin = e.switch_lsn;
    }
    path.push_back({target_timeline, begin, std::nullopt});
  } else {
    path.push_back({target_timeline, 0, std::nullopt});
  }
  return path;
}

const PathStep* step_for(const std::vector<PathStep>& path, std::uint32_t timeline,
                         std::uint64_t lsn)
{
  for (const auto& s : path)
    if (s.timeline == timeline && lsn >= s.begin && (!s.end || lsn <= *s.end)) return &s;
  return nullptr;
}

std::uint32_t
latest_timeline(const std::map<std::uint32_t, catalog::TimelineHistoryFile>& histories,
                std::uint32_t from)
{
  std::uint32_t t = from;
  while (histories.count(t + 1))
    ++t;
  return t;
}

std::vector<SegmentSpan> segment_spans(const std::vector<PathStep>& path, std::uint64_t first,
                                       std::uint64_t last, std::uint64_t segment_size)
{
  std::vector<SegmentSpan> spans;
  for (std::size_t i = 0; i < path.size(); ++i) {
    // Owns segments from its begin segment up to (not including) the next step's begin segment.
    std::uint64_t own_first = i == 0 ? 0 : pg::segment_of(pg::Lsn{path[i].begin}, segment_size);
    std::optional<std::uint64_t> next_first;
    if (i + 1 < path.size()) next_first = pg::segment_of(pg::Lsn{path[i + 1].begin}, segment_size);
    std::uint64_t a = std::max(own_first, first);
    std::uint64_t b = last;
    if (next_first) {
      if (*next_first == 0) continue;
      b = std::min(b, *next_first - 1);
    }
    if (a > b || (next_first && *next_first <= own_first)) continue;
    spans.push_back({path[i].timeline, a, b});
  }
  return spans;
}

} // namespace lastgood::restore
