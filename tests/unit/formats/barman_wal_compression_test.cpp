#include "common/error.hpp"
#include "formats/barman/wal_compression.hpp"
#include "formats/barman/wal_segment_check.hpp"
#include "storage/string_read_stream.hpp"

#include <bzlib.h>
#include <cstring>
#include <gtest/gtest.h>
#include <zlib.h>

namespace lastgood::formats::barman {
namespace {

constexpr std::uint64_t kSegment = 16u << 20;
constexpr std::uint64_t kSystem = 7712368028581030942ull;

void put(std::string& s, std::size_t at, std::uint64_t v, std::size_t width)
{
  for (std::size_t i = 0; i < width; ++i)
    s[at + i] = static_cast<char>((v >> (8 * i)) & 0xff);
}

// A PostgreSQL 15 segment 0/2000000 on timeline 1: headers on the first
// `used_pages` pages, zeros after (the rest of a switched segment).
std::string segment(std::size_t used_pages)
{
  std::string s(kSegment, '\0');
  for (std::size_t page = 0; page < used_pages; ++page) {
    std::size_t at = page * 8192;
    put(s, at, 0xD110, 2);
    put(s, at + 2, page == 0 ? 0x0002 : 0, 2);
    put(s, at + 4, 1, 4);
    put(s, at + 8, 0x2000000 + at, 8);
  }
  put(s, 24, kSystem, 8);
  put(s, 32, kSegment, 4);
  put(s, 36, 8192, 4);
  return s;
}

std::string gzip(const std::string& in)
{
  z_stream zs{};
  deflateInit2(&zs, 6, Z_DEFLATED, 15 + 16, 8, Z_DEFAULT_STRATEGY);
  std::string out(deflateBound(&zs, in.size()), '\0');
  zs.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(in.data()));
  zs.avail_in = static_cast<uInt>(in.size());
  zs.next_out = reinterpret_cast<Bytef*>(out.data());
  zs.avail_out = static_cast<uInt>(out.size());
  deflate(&zs, Z_FINISH);
  out.resize(zs.total_out);
  deflateEnd(&zs);
  return out;
}

std::string bzip2(const std::string& in)
{
  std::string out(in.size() + in.size() / 100 + 600, '\0');
  unsigned int length = static_cast<unsigned int>(out.size());
  EXPECT_EQ(BZ2_bzBuffToBuffCompress(out.data(), &length, const_cast<char*>(in.data()),
                                     static_cast<unsigned int>(in.size()), 9, 0, 0),
            BZ_OK);
  out.resize(length);
  return out;
}

std::optional<SegmentProblem> check(const std::string& stored)
{
  auto compression = detect_wal_compression(stored.substr(0, 64), true);
  auto stream =
      decompressed(std::make_unique<storage::StringReadStream>(stored, 7777), compression);
  return check_wal_segment(*stream, {1, 2, kSegment, kSystem});
}

TEST(BarmanWalCompression, DetectsByMagic)
{
  std::string raw = segment(3);
  EXPECT_EQ(detect_wal_compression(gzip(raw).substr(0, 64), true), WalCompression::Gzip);
  EXPECT_EQ(detect_wal_compression(bzip2(raw).substr(0, 64), true), WalCompression::Bzip2);
  EXPECT_EQ(detect_wal_compression(raw.substr(0, 64), true), WalCompression::None);
  EXPECT_EQ(detect_wal_compression("\x28\xb5\x2f\xfd zstd", true), WalCompression::Unknown);
  EXPECT_EQ(detect_wal_compression("\x04\x22\x4d\x18 lz4", false), WalCompression::Unknown);
  EXPECT_EQ(detect_wal_compression("1\t0/3000000\tno recovery target specified\n", false),
            WalCompression::None);
  EXPECT_THROW(
      decompressed(std::make_unique<storage::StringReadStream>("x"), WalCompression::Unknown),
      ValidationError);
}

TEST(BarmanWalCompression, WholeSegmentsPassInEveryCompression)
{
  std::string raw = segment(200);
  EXPECT_FALSE(check(raw));
  EXPECT_FALSE(check(gzip(raw)));
  EXPECT_FALSE(check(bzip2(raw)));
  EXPECT_FALSE(check(bzip2(raw.substr(0, 5000000)) + bzip2(raw.substr(5000000))))
      << "concatenated bzip2 streams (pbzip2) read through";
}

TEST(BarmanWalCompression, DamageIsNamed)
{
  std::string raw = segment(200);
  std::string bz = bzip2(raw);
  bz[bz.size() / 2] = static_cast<char>(bz[bz.size() / 2] ^ 0x55);
  EXPECT_THROW(check(bz), ValidationError);
  EXPECT_THROW(check(bzip2(raw).substr(0, bzip2(raw).size() / 2)), ValidationError);
  EXPECT_THROW(check(gzip(raw).substr(0, 1000)), ValidationError);

  auto short_segment = check(gzip(raw.substr(0, kSegment - 8192)));
  ASSERT_TRUE(short_segment);
  EXPECT_TRUE(short_segment->corrupt);
  EXPECT_EQ(short_segment->message, "decompresses to 16769024 bytes, not 16777216");

  std::string wrong_page = raw;
  put(wrong_page, 100 * 8192 + 8, 0x1234000, 8);
  auto bad = check(wrong_page);
  ASSERT_TRUE(bad);
  EXPECT_FALSE(bad->corrupt);
  EXPECT_EQ(bad->message, "page at offset 0xC8000 has no valid header for LSN 0/20C8000");

  std::string after_tail = raw;
  after_tail[300 * 8192 + 17] = 1;
  ASSERT_TRUE(check(after_tail));
  EXPECT_EQ(check(after_tail)->message, "data after the zero-filled tail at offset 0x258000");

  std::string other_cluster = raw;
  put(other_cluster, 24, 42, 8);
  ASSERT_TRUE(check(other_cluster));
  EXPECT_EQ(check(other_cluster)->message,
            "written by cluster 42, the backup's is 7712368028581030942");

  auto wrong_segment = check_wal_segment(*std::make_unique<storage::StringReadStream>(raw),
                                         {1, 3, kSegment, kSystem});
  ASSERT_TRUE(wrong_segment);
  EXPECT_EQ(wrong_segment->message,
            "first page is for LSN 0/2000000, not this segment's start 0/3000000");
}

} // namespace
} // namespace lastgood::formats::barman
