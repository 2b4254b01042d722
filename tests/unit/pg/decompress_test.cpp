#include "common/error.hpp"
#include "pg/decompress.hpp"
#include "storage/string_read_stream.hpp"

#include <algorithm>
#include <cstring>
#include <gtest/gtest.h>
#include <random>
#include <zlib.h>
#include <zstd.h>

namespace lastgood::pg {
namespace {

std::string drain(storage::ReadStream& stream, std::size_t buffer_size = 65536)
{
  std::string out;
  std::vector<std::byte> buffer(buffer_size);
  while (std::size_t n = stream.read(buffer))
    out.append(reinterpret_cast<const char*>(buffer.data()), n);
  return out;
}

std::string decompress(const std::string& compressed, std::string_view compression,
                       std::size_t source_chunk = SIZE_MAX, std::size_t buffer_size = 65536)
{
  auto stream = decompressing_stream(
      std::make_unique<storage::StringReadStream>(compressed, source_chunk), compression);
  return drain(*stream, buffer_size);
}

std::string gzip(const std::string& data)
{
  z_stream zs{};
  EXPECT_EQ(deflateInit2(&zs, 6, Z_DEFLATED, 15 + 16, 8, Z_DEFAULT_STRATEGY), Z_OK);
  std::string out(deflateBound(&zs, data.size()) + 64, '\0');
  zs.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(data.data()));
  zs.avail_in = static_cast<uInt>(data.size());
  zs.next_out = reinterpret_cast<Bytef*>(out.data());
  zs.avail_out = static_cast<uInt>(out.size());
  EXPECT_EQ(deflate(&zs, Z_FINISH), Z_STREAM_END);
  out.resize(zs.total_out);
  deflateEnd(&zs);
  return out;
}

// Like the zstd command line: with a content checksum.
std::string zstd(const std::string& data)
{
  std::unique_ptr<ZSTD_CCtx, decltype(&ZSTD_freeCCtx)> cctx(ZSTD_createCCtx(), ZSTD_freeCCtx);
  ZSTD_CCtx_setParameter(cctx.get(), ZSTD_c_checksumFlag, 1);
  std::string out(ZSTD_compressBound(data.size()), '\0');
  std::size_t n = ZSTD_compress2(cctx.get(), out.data(), out.size(), data.data(), data.size());
  EXPECT_FALSE(ZSTD_isError(n));
  out.resize(n);
  return out;
}

// Compressible but not trivial: words from a small vocabulary plus noise.
std::string sample_data(std::size_t size)
{
  static const char* words[] = {"wal ", "segment ", "backup ", "manifest ", "lsn ", "0/16B374D8 "};
  std::mt19937 rng(42);
  std::string out;
  while (out.size() < size) {
    out += words[rng() % 6];
    if (rng() % 10 == 0) out.push_back(static_cast<char>(rng()));
  }
  out.resize(size);
  return out;
}

TEST(DecompressTest, PassThroughReturnsTheSourceBytes)
{
  EXPECT_EQ(decompress("plain bytes", ""), "plain bytes");
}

TEST(DecompressTest, UnknownCompressionIsAUsageError)
{
  EXPECT_THROW(decompressing_stream(std::make_unique<storage::StringReadStream>("x"), "lz4"),
               UsageError);
  EXPECT_THROW(decompressing_stream(std::make_unique<storage::StringReadStream>("x"), "gzip"),
               UsageError);
}

TEST(DecompressTest, GzipRoundTrip)
{
  for (std::size_t size : {0u, 1u, 1000u, 3u << 20}) {
    auto data = sample_data(size);
    EXPECT_EQ(decompress(gzip(data), "gz"), data) << size;
  }
}

TEST(DecompressTest, ZstdRoundTrip)
{
  for (std::size_t size : {0u, 1u, 1000u, 3u << 20}) {
    auto data = sample_data(size);
    EXPECT_EQ(decompress(zstd(data), "zst"), data) << size;
  }
}

TEST(DecompressTest, TinySourceChunksAndTinyOutputBuffers)
{
  auto data = sample_data(200000);
  for (auto compression : {"gz", "zst"}) {
    auto compressed = compression == std::string_view("gz") ? gzip(data) : zstd(data);
    EXPECT_EQ(decompress(compressed, compression, 7, 65536), data) << compression;
    EXPECT_EQ(decompress(compressed, compression, SIZE_MAX, 1), data) << compression;
    EXPECT_EQ(decompress(compressed, compression, 3, 5), data) << compression;
  }
}

TEST(DecompressTest, ConcatenatedMembersAndFramesAreRead)
{
  EXPECT_EQ(decompress(gzip("first ") + gzip("second"), "gz"), "first second");
  EXPECT_EQ(decompress(zstd("first ") + zstd("second"), "zst"), "first second");
}

TEST(DecompressTest, TruncatedInputIsAValidationError)
{
  auto data = sample_data(500000);
  for (auto compression : {"gz", "zst"}) {
    auto compressed = compression == std::string_view("gz") ? gzip(data) : zstd(data);
    for (std::size_t cut :
         {std::size_t{1}, std::size_t{4}, compressed.size() / 2, compressed.size() - 5}) {
      auto truncated = compressed.substr(0, compressed.size() - cut);
      EXPECT_THROW(decompress(truncated, compression), ValidationError)
          << compression << " cut " << cut;
    }
  }
}

TEST(DecompressTest, EmptyInputIsAValidationError)
{
  EXPECT_THROW(decompress("", "gz"), ValidationError);
  EXPECT_THROW(decompress("", "zst"), ValidationError);
}

TEST(DecompressTest, CorruptInputIsAValidationError)
{
  auto data = sample_data(100000);
  for (auto compression : {"gz", "zst"}) {
    auto compressed = compression == std::string_view("gz") ? gzip(data) : zstd(data);
    for (std::size_t offset : {std::size_t{0}, compressed.size() / 2, compressed.size() - 2}) {
      auto corrupt = compressed;
      corrupt[offset] = static_cast<char>(corrupt[offset] ^ 0x5A);
      EXPECT_THROW(decompress(corrupt, compression), ValidationError)
          << compression << " offset " << offset;
    }
  }
  EXPECT_THROW(decompress("this is not compressed at all", "gz"), ValidationError);
  EXPECT_THROW(decompress("this is not compressed at all", "zst"), ValidationError);
}

TEST(DecompressTest, TrailingGarbageIsAValidationError)
{
  EXPECT_THROW(decompress(gzip("data") + "garbage!", "gz"), ValidationError);
  EXPECT_THROW(decompress(zstd("data") + "garbage!", "zst"), ValidationError);
}

TEST(DecompressTest, ErrorMessageSaysWhatIsWrong)
{
  auto compressed = gzip(sample_data(10000));
  try {
    decompress(compressed.substr(0, compressed.size() / 2), "gz");
    FAIL() << "no exception";
  } catch (const ValidationError& e) {
    EXPECT_NE(std::string(e.what()).find("truncated"), std::string::npos) << e.what();
  }
}

} // namespace
} // namespace lastgood::pg
