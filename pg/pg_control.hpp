#pragma once
// global/pg_control (ControlFileData): system identifier and versions.

#include <cstdint>
#include <string_view>

namespace lastgood::pg {

struct ControlFileInfo {
  std::uint64_t system_identifier = 0;
  std::uint32_t pg_control_version = 0;
  std::uint32_t catalog_version = 0;
  int pg_major = 0;                 // from catalog_version, 0 if unknown
  std::uint32_t wal_segment_size = 0;  // 0 if the layout is not known for this version
  bool crc_ok = false;              // CRC32C over the struct matches (known layouts only)
};

// Needs at least the first 16 bytes; throws ValidationError if shorter.
ControlFileInfo parse_pg_control(std::string_view bytes);

} // namespace lastgood::pg
