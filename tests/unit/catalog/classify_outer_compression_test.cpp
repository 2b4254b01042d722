// A custom dump compressed as a whole (`lastgood backup --compress zstd`
// writes <db>.dump.zst) is classified as a custom dump from the decompressed
// head, even when the scan's head is only the first 64 KiB of the file.

#include "catalog/classify.hpp"

#include <gtest/gtest.h>
#include <random>
#include <string>
#include <zstd.h>

namespace lastgood::catalog {
namespace {

// The first 160 bytes of `pg_dump -Fc shop` from pg_dump 15.18 (as in
// tests/unit/pg/dump_header_test.cpp).
const unsigned char kPg15Custom[160] = {
    0x50, 0x47, 0x44, 0x4d, 0x50, 0x01, 0x0e, 0x00, 0x04, 0x08, 0x01, 0x01, 0x01, 0x00, 0x00, 0x00,
    0x00, 0x14, 0x00, 0x00, 0x00, 0x00, 0x0a, 0x00, 0x00, 0x00, 0x00, 0x01, 0x00, 0x00, 0x00, 0x00,
    0x16, 0x00, 0x00, 0x00, 0x00, 0x0a, 0x00, 0x00, 0x00, 0x00, 0x7e, 0x00, 0x00, 0x00, 0x00, 0x00,
    0x00, 0x00, 0x00, 0x00, 0x04, 0x00, 0x00, 0x00, 0x73, 0x68, 0x6f, 0x70, 0x00, 0x1e, 0x00, 0x00,
    0x00, 0x31, 0x35, 0x2e, 0x31, 0x38, 0x20, 0x28, 0x44, 0x65, 0x62, 0x69, 0x61, 0x6e, 0x20, 0x31,
    0x35, 0x2e, 0x31, 0x38, 0x2d, 0x30, 0x2b, 0x64, 0x65, 0x62, 0x31, 0x32, 0x75, 0x31, 0x29, 0x00,
    0x1e, 0x00, 0x00, 0x00, 0x31, 0x35, 0x2e, 0x31, 0x38, 0x20, 0x28, 0x44, 0x65, 0x62, 0x69, 0x61,
    0x6e, 0x20, 0x31, 0x35, 0x2e, 0x31, 0x38, 0x2d, 0x30, 0x2b, 0x64, 0x65, 0x62, 0x31, 0x32, 0x75,
    0x31, 0x29, 0x00, 0x07, 0x00, 0x00, 0x00, 0x00, 0x0f, 0x0d, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
    0x00, 0x00, 0x01, 0x00, 0x00, 0x00, 0x30, 0x00, 0x01, 0x00, 0x00, 0x00, 0x30, 0x00, 0x08, 0x00};

std::string zstd(const std::string& plain)
{
  std::string out(ZSTD_compressBound(plain.size()), '\0');
  std::size_t n = ZSTD_compress(out.data(), out.size(), plain.data(), plain.size(), 3);
  EXPECT_FALSE(ZSTD_isError(n));
  out.resize(n);
  return out;
}

// Incompressible bytes, so the compressed file is larger than the scan's head.
std::string noise(std::size_t n)
{
  std::mt19937 random(42);
  std::string out(n, '\0');
  for (auto& c : out)
    c = static_cast<char>(random() & 0xff);
  return out;
}

Classification classify_file(const std::string& key, const std::string& bytes)
{
  std::string head = bytes.substr(0, kHeadBytes);
  std::string tail = bytes.substr(bytes.size() - std::min(bytes.size(), kTailBytes));
  return classify_object(key, bytes.size(), head, tail);
}

TEST(ClassifyOuterCompression, ZstdCompressedCustomDumpIsACustomDump)
{
  const std::string dump =
      std::string(reinterpret_cast<const char*>(kPg15Custom), 160) + noise(300 * 1024);
  const std::string stored = zstd(dump);
  ASSERT_GT(stored.size(), kHeadBytes);
  auto c = classify_file("shop/shop-20261122T020000Z.dump.zst", stored);
  EXPECT_EQ(c.kind, kind::custom_dump) << c.problem;
  EXPECT_TRUE(c.problem.empty()) << c.problem;
  EXPECT_EQ(c.detail["outer_compression"], "zstd");
  EXPECT_EQ(c.detail["database"], "shop");
  EXPECT_EQ(c.detail["format"], "custom");
}

TEST(ClassifyOuterCompression, OtherZstdFilesAndGarbageStayOther)
{
  EXPECT_EQ(classify_file("notes.txt.zst", zstd("just some text, not a dump")).kind, kind::other);
  auto garbage = classify_file("x.dump.zst", noise(5000));
  EXPECT_EQ(garbage.kind, kind::other);
  auto gz_garbage = classify_file("x.dump.gz", noise(5000));
  EXPECT_EQ(gz_garbage.kind, kind::other);
  // An uncompressed dump keeps its plain classification, with no outer compression.
  auto plain =
      classify_file("shop.dump", std::string(reinterpret_cast<const char*>(kPg15Custom), 160));
  EXPECT_EQ(plain.kind, kind::custom_dump);
  EXPECT_FALSE(plain.detail.contains("outer_compression"));
}

} // namespace
} // namespace lastgood::catalog
