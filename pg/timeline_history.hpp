#pragma once
// Timeline history files (TTTTTTTT.history): "parentTLI<TAB>switchpoint<TAB>reason" lines.

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "pg/lsn.hpp"

namespace lastgood::pg {

struct TimelineHistoryEntry {
  std::uint32_t parent_timeline = 0;
  Lsn switch_lsn;  // where the child timeline branched off parent_timeline
  std::string reason;
};

// Ignores '#' comments and blank lines. Throws ValidationError naming the line.
std::vector<TimelineHistoryEntry> parse_timeline_history(std::string_view text);

} // namespace lastgood::pg
