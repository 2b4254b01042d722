#include "pg/wal_page_header.hpp"

#include <gtest/gtest.h>
#include <string>

namespace lastgood::pg {
namespace {

// First 40 bytes of 000000030000000000000005 archived by PostgreSQL 15.18
// (pg_controldata: system identifier 7710796949950849048, 16 MiB segments).
const unsigned char kPg15Head[40] = {0x10, 0xd1, 0x06, 0x00, 0x03, 0x00, 0x00, 0x00, 0x00, 0x00,
                                     0x00, 0x05, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
                                     0x00, 0x00, 0x00, 0x00, 0x18, 0x60, 0xfc, 0xf0, 0xf8, 0x40,
                                     0x02, 0x6b, 0x00, 0x00, 0x00, 0x01, 0x00, 0x20, 0x00, 0x00};

std::string pg15_head()
{
  return std::string(reinterpret_cast<const char*>(kPg15Head), 40);
}

TEST(WalPageHeader, RealPostgres15Segment)
{
  auto h = parse_wal_long_page_header(pg15_head());
  ASSERT_TRUE(h);
  EXPECT_EQ(h->magic, 0xD110);
  EXPECT_EQ(pg_major_for_wal_magic(h->magic), 15);
  EXPECT_EQ(h->info, 0x0006); // XLP_LONG_HEADER | XLP_BKP_REMOVABLE
  EXPECT_EQ(h->timeline, 3u);
  EXPECT_EQ(h->page_address, 0x5000000u);
  EXPECT_EQ(h->system_identifier, 7710796949950849048ull);
  EXPECT_EQ(h->segment_size, 16u << 20);
  EXPECT_EQ(h->block_size, 8192u);
}

TEST(WalPageHeader, SyntheticPostgres17HeaderWithLargeValues)
{
  std::string head(40, '\0');
  auto put = [&](size_t at, std::uint64_t v, size_t width) {
    for (size_t i = 0; i < width; ++i)
      head[at + i] = static_cast<char>((v >> (8 * i)) & 0xff);
  };
  put(0, 0xD116, 2);
  put(2, 0x0003, 2);
  put(4, 0x12345678, 4);
  put(8, 0x0000001600000000ull + (64u << 20), 8);
  put(24, 0xFEDCBA9876543210ull, 8);
  put(32, 64u << 20, 4);
  put(36, 32768, 4);
  auto h = parse_wal_long_page_header(head + "trailing bytes are fine");
  ASSERT_TRUE(h);
  EXPECT_EQ(pg_major_for_wal_magic(h->magic), 17);
  EXPECT_EQ(h->timeline, 0x12345678u);
  EXPECT_EQ(h->page_address, 0x1604000000ull);
  EXPECT_EQ(h->system_identifier, 0xFEDCBA9876543210ull);
  EXPECT_EQ(h->segment_size, 64u << 20);
  EXPECT_EQ(h->block_size, 32768u);
}

TEST(WalPageHeader, RejectsShortInput)
{
  for (size_t n = 0; n < 40; ++n)
    EXPECT_FALSE(parse_wal_long_page_header(pg15_head().substr(0, n)));
}

TEST(WalPageHeader, RejectsShortPageHeaderAndUnknownMagic)
{
  std::string short_page = pg15_head();
  short_page[2] = 0x01; // continuation flag only, no XLP_LONG_HEADER
  EXPECT_FALSE(parse_wal_long_page_header(short_page));

  std::string unknown = pg15_head();
  unknown[0] = 0x11; // 0xD111 is no release's magic
  EXPECT_FALSE(parse_wal_long_page_header(unknown));

  std::string big_endian = pg15_head();
  std::swap(big_endian[0], big_endian[1]);
  EXPECT_FALSE(parse_wal_long_page_header(big_endian));

  EXPECT_FALSE(parse_wal_long_page_header(std::string(40, '\0')));
}

TEST(WalPageHeader, MagicPerRelease)
{
  EXPECT_EQ(pg_major_for_wal_magic(0xD106), 13);
  EXPECT_EQ(pg_major_for_wal_magic(0xD10D), 14);
  EXPECT_EQ(pg_major_for_wal_magic(0xD110), 15);
  EXPECT_EQ(pg_major_for_wal_magic(0xD113), 16);
  EXPECT_EQ(pg_major_for_wal_magic(0xD116), 17);
  EXPECT_EQ(pg_major_for_wal_magic(0xD101), 0);
  EXPECT_EQ(pg_major_for_wal_magic(0), 0);
}

} // namespace
} // namespace lastgood::pg
