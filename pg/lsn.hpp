#pragma once
// LSNs and WAL segment arithmetic (xlog_internal.h). An LSN is a 64-bit byte
// position printed "%X/%X".

#include <compare>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace lastgood::pg {

inline constexpr std::uint64_t kDefaultWalSegmentSize = 16u << 20;

struct Lsn {
  std::uint64_t value = 0;
  auto operator<=>(const Lsn&) const = default;
  // Parses "16/B374D848"; throws ValidationError on anything else.
  static Lsn parse(std::string_view text);
  static std::optional<Lsn> try_parse(std::string_view text);
  std::string str() const;  // "%X/%X"
};

// Segments per "xlogid" (the middle 8 hex digits of a name): 0x100000000 / size.
std::uint64_t segments_per_xlogid(std::uint64_t segment_size);
bool valid_segment_size(std::uint64_t segment_size);  // power of two, 1 MiB..1 GiB

std::uint64_t segment_of(Lsn lsn, std::uint64_t segment_size);  // lsn / size
Lsn segment_start(std::uint64_t segno, std::uint64_t segment_size);
// The last segment needed to reach end_lsn: (end_lsn - 1) / size.
std::uint64_t last_segment_for(Lsn end_lsn, std::uint64_t segment_size);

// "%08X%08X%08X" of (timeline, segno / per_id, segno % per_id).
std::string wal_file_name(std::uint32_t timeline, std::uint64_t segno, std::uint64_t segment_size);

} // namespace lastgood::pg
