#pragma once
// The long page header at offset 0 of every WAL segment (XLogLongPageHeaderData).

#include <cstdint>
#include <optional>
#include <string_view>

namespace lastgood::pg {

struct WalLongPageHeader {
  std::uint16_t magic = 0;
  std::uint16_t info = 0;
  std::uint32_t timeline = 0;
  std::uint64_t page_address = 0;  // LSN of the segment start
  std::uint64_t system_identifier = 0;
  std::uint32_t segment_size = 0;
  std::uint32_t block_size = 0;
};

// Returns nullopt when head is shorter than 40 bytes, xlp_info lacks the long
// header flag (0x0002), or the magic is not a known PostgreSQL WAL magic.
std::optional<WalLongPageHeader> parse_wal_long_page_header(std::string_view head);

// PostgreSQL major version for a WAL page magic (0xD106 -> 13 ... 0xD116 -> 17), 0 if unknown.
int pg_major_for_wal_magic(std::uint16_t magic);

} // namespace lastgood::pg
