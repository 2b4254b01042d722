// A custom dump compressed as a whole (`lastgood backup --compress zstd`
// writes <db>.dump.zst) is classified as a custom dump from the decompressed
// head, even when the scan's head is only the first 64 KiB of the file.

#include "catalog/classify.hpp"
#include "tests/support/pg15_samples.hpp"

#include <gtest/gtest.h>
#include <random>
#include <string>
#include <zstd.h>

namespace lastgood::catalog {
namespace {

using lastgood::testing::kPg15Custom;

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
