#include "common/error.hpp"
#include "pg/crc32c.hpp"
#include "pg/pg_control.hpp"
#include "tests/support/temp_dir.hpp"

#include <cstring>
#include <filesystem>
#include <gtest/gtest.h>

namespace lastgood::pg {
namespace {

// global/pg_control of a PostgreSQL 15 cluster, made by initdb + pg_basebackup.
// pg_controldata: system identifier 7710796964816674892, pg_control version
// 1300, catalog version 202209061, 16777216 bytes per WAL segment.
std::string real_pg15_control()
{
  return testing::read_file(std::filesystem::path(__FILE__).parent_path() / "data" /
                            "pg_control_15.bin");
}

void put_u32(std::string& bytes, std::size_t offset, std::uint32_t value)
{
  std::memcpy(bytes.data() + offset, &value, sizeof value);
}

// Rewrites the versions and the CRC (at 288, over bytes [0, 288)) as PostgreSQL would.
std::string with_versions(std::uint32_t control_version, std::uint32_t catalog_version)
{
  auto bytes = real_pg15_control();
  put_u32(bytes, 8, control_version);
  put_u32(bytes, 12, catalog_version);
  put_u32(bytes, 288, crc32c(std::string_view(bytes).substr(0, 288)));
  return bytes;
}

TEST(PgControlTest, ParsesRealPg15File)
{
  auto bytes = real_pg15_control();
  ASSERT_EQ(bytes.size(), 8192u);
  auto info = parse_pg_control(bytes);
  EXPECT_EQ(info.system_identifier, 7710796964816674892ull);
  EXPECT_EQ(info.pg_control_version, 1300u);
  EXPECT_EQ(info.catalog_version, 202209061u);
  EXPECT_EQ(info.pg_major, 15);
  EXPECT_EQ(info.wal_segment_size, 16u << 20);
  EXPECT_TRUE(info.crc_ok);
}

TEST(PgControlTest, FlippedByteInsideTheStructFailsTheCrc)
{
  for (std::size_t offset : {0u, 20u, 100u, 228u, 287u, 288u, 291u}) {
    auto bytes = real_pg15_control();
    bytes[offset] = static_cast<char>(bytes[offset] ^ 0x01);
    EXPECT_FALSE(parse_pg_control(bytes).crc_ok) << "offset " << offset;
  }
}

TEST(PgControlTest, BytesAfterTheStructAreNotCovered)
{
  auto bytes = real_pg15_control();
  bytes[4000] = '\x55';
  EXPECT_TRUE(parse_pg_control(bytes).crc_ok);
}

TEST(PgControlTest, TooShortIsAValidationError)
{
  auto bytes = real_pg15_control();
  EXPECT_THROW(parse_pg_control(""), ValidationError);
  EXPECT_THROW(parse_pg_control(std::string_view(bytes).substr(0, 15)), ValidationError);
}

TEST(PgControlTest, HeaderOnlyGivesVersionsButNoLayoutFields)
{
  auto bytes = real_pg15_control();
  auto info = parse_pg_control(std::string_view(bytes).substr(0, 16));
  EXPECT_EQ(info.system_identifier, 7710796964816674892ull);
  EXPECT_EQ(info.pg_major, 15);
  EXPECT_EQ(info.wal_segment_size, 0u);
  EXPECT_FALSE(info.crc_ok);
  // One byte short of the CRC field.
  EXPECT_FALSE(parse_pg_control(std::string_view(bytes).substr(0, 291)).crc_ok);
  EXPECT_TRUE(parse_pg_control(std::string_view(bytes).substr(0, 292)).crc_ok);
}

TEST(PgControlTest, MajorVersionFromCatalogVersion)
{
  EXPECT_EQ(parse_pg_control(with_versions(1300, 202007201)).pg_major, 13);
  EXPECT_EQ(parse_pg_control(with_versions(1300, 202107181)).pg_major, 14);
  EXPECT_EQ(parse_pg_control(with_versions(1300, 202209061)).pg_major, 15);
  EXPECT_EQ(parse_pg_control(with_versions(1300, 202307071)).pg_major, 16);
  EXPECT_EQ(parse_pg_control(with_versions(1700, 202406281)).pg_major, 17);
  EXPECT_EQ(parse_pg_control(with_versions(1201, 201909212)).pg_major, 0); // PG12
  // A catalog version from PG17 with a PG13..16 layout (or vice versa) is inconsistent.
  EXPECT_EQ(parse_pg_control(with_versions(1300, 202406281)).pg_major, 0);
  EXPECT_EQ(parse_pg_control(with_versions(1700, 202307071)).pg_major, 0);
  // A later layout (PG18's pg_control_version) is not reported as 17.
  EXPECT_EQ(parse_pg_control(with_versions(1800, 202506291)).pg_major, 0);
}

TEST(PgControlTest, Pg17LayoutKeepsOffsets)
{
  auto info = parse_pg_control(with_versions(1700, 202406281));
  EXPECT_TRUE(info.crc_ok);
  EXPECT_EQ(info.wal_segment_size, 16u << 20);
}

TEST(PgControlTest, UnknownLayoutHasNoCrcOrSegmentSize)
{
  auto info = parse_pg_control(with_versions(1800, 202506291));
  EXPECT_EQ(info.pg_control_version, 1800u);
  EXPECT_FALSE(info.crc_ok);
  EXPECT_EQ(info.wal_segment_size, 0u);
}

} // namespace
} // namespace lastgood::pg
