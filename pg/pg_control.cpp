#include "pg/pg_control.hpp"

#include "common/error.hpp"
#include "pg/crc32c.hpp"

#include <array>
#include <cstring>
#include <string>

namespace lastgood::pg {
namespace {

// ControlFileData offsets on 64-bit little-endian platforms, from
// src/include/catalog/pg_control.h. PG_CONTROL_VERSION 1300 is PG13..16;
// 1700 (PG17) only added CheckPoint.wal_level, which fills an alignment hole,
// so every offset below is unchanged. Checked against a real PG15 pg_control
// (pg_controldata: "Bytes per WAL segment", CRC verified).
struct ControlLayout
{
  std::uint32_t pg_control_version;
  std::size_t xlog_seg_size_offset;
  std::size_t crc_offset; // crc is last; CRC32C over bytes [0, crc_offset)
};

constexpr std::array<ControlLayout, 2> kLayouts{{
    {1300, 228, 288},
    {1700, 228, 288},
}};

// CATALOG_VERSION_NO of each major release (catversion.h, stable across its
// minor releases), with the pg_control layout that release uses. A value at or
// above a release's number and below the next one's is that release (betas and
// development builds of the next release land on the previous one).
struct MajorRelease
{
  std::uint32_t first_catalog_version;
  int major;
  std::uint32_t pg_control_version;
};

constexpr std::array<MajorRelease, 5> kReleases{{
    {202406281, 17, 1700},
    {202307071, 16, 1300},
    {202209061, 15, 1300},
    {202107181, 14, 1300},
    {202007201, 13, 1300},
}};

std::uint32_t load_u32(std::string_view bytes, std::size_t offset)
{
  std::uint32_t v;
  std::memcpy(&v, bytes.data() + offset, sizeof v); // host order = little-endian
  return v;
}

std::uint64_t load_u64(std::string_view bytes, std::size_t offset)
{
  std::uint64_t v;
  std::memcpy(&v, bytes.data() + offset, sizeof v);
  return v;
}

// The major version whose catalog_version range holds catalog_version, if the
// pg_control_version agrees with it (a PG18 file is not reported as 17).
int major_from_versions(std::uint32_t catalog_version, std::uint32_t pg_control_version)
{
  for (const auto& release : kReleases) {
    if (catalog_version >= release.first_catalog_version)
      return release.pg_control_version == pg_control_version ? release.major : 0;
  }
  return 0;
}

} // namespace

ControlFileInfo parse_pg_control(std::string_view bytes)
{
  if (bytes.size() < 16)
    throw ValidationError("pg_control is too short: " + std::to_string(bytes.size()) +
                          " bytes, need at least 16 (is this really global/pg_control?)");

  ControlFileInfo info;
  info.system_identifier = load_u64(bytes, 0);
  info.pg_control_version = load_u32(bytes, 8);
  info.catalog_version = load_u32(bytes, 12);
  info.pg_major = major_from_versions(info.catalog_version, info.pg_control_version);

  for (const auto& layout : kLayouts) {
    if (layout.pg_control_version != info.pg_control_version) continue;
    if (bytes.size() < layout.crc_offset + 4) break;
    info.wal_segment_size = load_u32(bytes, layout.xlog_seg_size_offset);
    info.crc_ok = crc32c(bytes.substr(0, layout.crc_offset)) == load_u32(bytes, layout.crc_offset);
    break;
  }
  return info;
}

} // namespace lastgood::pg
