#include "pg/wal_page_header.hpp"

#include <array>

namespace lastgood::pg {

namespace {

constexpr std::uint16_t kLongHeader = 0x0002; // XLP_LONG_HEADER
constexpr size_t kLongHeaderSize = 40;        // sizeof(XLogLongPageHeaderData) on 64-bit

// WAL files are written in host order; every platform PostgreSQL ships on
// that we support is little-endian, so decode explicitly as such.
std::uint64_t read_le(std::string_view bytes, size_t offset, size_t width)
{
  std::uint64_t v = 0;
  for (size_t i = width; i-- > 0;)
    v = (v << 8) | static_cast<unsigned char>(bytes[offset + i]);
  return v;
}

struct MagicVersion
{
  std::uint16_t magic;
  int major;
};
// XLOG_PAGE_MAGIC per release (src/include/access/xlog_internal.h).
constexpr std::array<MagicVersion, 5> kMagics = {
    {{0xD106, 13}, {0xD10D, 14}, {0xD110, 15}, {0xD113, 16}, {0xD116, 17}}};

} // namespace

int pg_major_for_wal_magic(std::uint16_t magic)
{
  for (const auto& m : kMagics)
    if (m.magic == magic) return m.major;
  return 0;
}

std::optional<WalLongPageHeader> parse_wal_long_page_header(std::string_view head)
{
  if (head.size() < kLongHeaderSize) return std::nullopt;
  WalLongPageHeader h;
  h.magic = static_cast<std::uint16_t>(read_le(head, 0, 2));
  h.info = static_cast<std::uint16_t>(read_le(head, 2, 2));
  if (pg_major_for_wal_magic(h.magic) == 0 || (h.info & kLongHeader) == 0) return std::nullopt;
  h.timeline = static_cast<std::uint32_t>(read_le(head, 4, 4));
  h.page_address = read_le(head, 8, 8);
  // 16: xlp_rem_len, 20: padding
  h.system_identifier = read_le(head, 24, 8);
  h.segment_size = static_cast<std::uint32_t>(read_le(head, 32, 4));
  h.block_size = static_cast<std::uint32_t>(read_le(head, 36, 4));
  return h;
}

} // namespace lastgood::pg
