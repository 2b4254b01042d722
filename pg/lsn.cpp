#include "pg/lsn.hpp"

#include <cinttypes>
#include <cstdio>

#include "common/error.hpp"

namespace lastgood::pg {

std::optional<Lsn> Lsn::try_parse(std::string_view text)
{
  auto slash = text.find('/');
  if (slash == std::string_view::npos || slash == 0 || slash > 8 || text.size() - slash - 1 == 0 ||
      text.size() - slash - 1 > 8)
    return std::nullopt;
  std::uint64_t parts[2] = {0, 0};
  std::string_view halves[2] = {text.substr(0, slash), text.substr(slash + 1)};
  for (int i = 0; i < 2; ++i) {
    for (char c : halves[i]) {
      int digit;
      if (c >= '0' && c <= '9') digit = c - '0';
      else if (c >= 'A' && c <= 'F') digit = c - 'A' + 10;
      else if (c >= 'a' && c <= 'f') digit = c - 'a' + 10;
      else return std::nullopt;
      parts[i] = parts[i] * 16 + static_cast<std::uint64_t>(digit);
    }
  }
  return Lsn{(parts[0] << 32) | parts[1]};
}

Lsn Lsn::parse(std::string_view text)
{
  if (auto lsn = try_parse(text)) return *lsn;
  throw ValidationError("invalid LSN '" + std::string(text) + "': expected e.g. 16/B374D848");
}

std::string Lsn::str() const
{
  char buf[32];
  std::snprintf(buf, sizeof buf, "%X/%X", static_cast<unsigned>(value >> 32),
                static_cast<unsigned>(value & 0xffffffffu));
  return buf;
}

bool valid_segment_size(std::uint64_t size)
{
  return size >= (1u << 20) && size <= (1u << 30) && (size & (size - 1)) == 0;
}

std::uint64_t segments_per_xlogid(std::uint64_t segment_size) { return 0x100000000ull / segment_size; }

std::uint64_t segment_of(Lsn lsn, std::uint64_t segment_size) { return lsn.value / segment_size; }

Lsn segment_start(std::uint64_t segno, std::uint64_t segment_size) { return Lsn{segno * segment_size}; }

std::uint64_t last_segment_for(Lsn end_lsn, std::uint64_t segment_size)
{
  return end_lsn.value == 0 ? 0 : (end_lsn.value - 1) / segment_size;
}

std::string wal_file_name(std::uint32_t timeline, std::uint64_t segno, std::uint64_t segment_size)
{
  const auto per_id = segments_per_xlogid(segment_size);
  char buf[32];
  std::snprintf(buf, sizeof buf, "%08X%08X%08X", timeline, static_cast<unsigned>(segno / per_id),
                static_cast<unsigned>(segno % per_id));
  return buf;
}

} // namespace lastgood::pg
