// The decompressions pgBackRest writes (src/common/compress/*): gzip (zlib;
// raw deflate in bundle-raw mode), lz4 frames, zstd frames, bzip2.
#include "formats/pgbackrest/transform.hpp"

#include <bzlib.h>
#include <lz4frame.h>
#include <zlib.h>
#include <zstd.h>

namespace lastgood::formats::pgbackrest {
namespace {

constexpr std::size_t kChunk = 256 * 1024;

class GzDecompressor : public Transform
{
public:
  explicit GzDecompressor(bool raw)
  {
    if (inflateInit2(&m_zs, raw ? -15 : 15 + 16) != Z_OK)
      throw Error("zlib could not initialise inflate");
  }
  ~GzDecompressor() override { inflateEnd(&m_zs); }
  GzDecompressor(const GzDecompressor&) = delete;
  GzDecompressor& operator=(const GzDecompressor&) = delete;

  void update(std::span<const std::byte> in, std::vector<std::byte>& out) override
  {
    m_zs.next_in = reinterpret_cast<Bytef*>(const_cast<std::byte*>(in.data()));
    m_zs.avail_in = static_cast<uInt>(in.size());
    bool more = !m_done; // output left in zlib's window even when all input is consumed
    while (m_zs.avail_in > 0 || more) {
      if (m_done) {
        if (m_zs.avail_in > 0) throw ValidationError("gzip data continues after its end");
        break;
      }
      const std::size_t at = out.size();
      out.resize(at + kChunk);
      m_zs.next_out = reinterpret_cast<Bytef*>(out.data() + at);
      m_zs.avail_out = static_cast<uInt>(kChunk);
      const int rc = inflate(&m_zs, Z_NO_FLUSH);
      out.resize(at + kChunk - m_zs.avail_out);
      more = m_zs.avail_out == 0;
      if (rc == Z_STREAM_END)
        m_done = true;
      else if (rc != Z_OK && rc != Z_BUF_ERROR)
        throw ValidationError(std::string("gzip data is corrupt (") +
                              (m_zs.msg ? m_zs.msg : "zlib error") + ")");
    }
  }
  void finish(std::vector<std::byte>& out) override
  {
    update({}, out);
    if (!m_done) throw ValidationError("gzip data is truncated");
  }

private:
  z_stream m_zs{};
  bool m_done = false;
};

class Lz4Decompressor : public Transform
{
public:
  Lz4Decompressor()
  {
    if (LZ4F_isError(LZ4F_createDecompressionContext(&m_ctx, LZ4F_VERSION)))
      throw Error("lz4 could not create a decompression context");
  }
  ~Lz4Decompressor() override { LZ4F_freeDecompressionContext(m_ctx); }
  Lz4Decompressor(const Lz4Decompressor&) = delete;
  Lz4Decompressor& operator=(const Lz4Decompressor&) = delete;

  void update(std::span<const std::byte> in, std::vector<std::byte>& out) override
  {
    while (!in.empty()) {
      if (m_hint == 0) throw ValidationError("lz4 data continues after its end");
      const std::size_t at = out.size();
      out.resize(at + kChunk);
      std::size_t out_size = kChunk;
      std::size_t in_size = in.size();
      m_hint = LZ4F_decompress(m_ctx, out.data() + at, &out_size, in.data(), &in_size, nullptr);
      if (LZ4F_isError(m_hint))
        throw ValidationError(std::string("lz4 data is corrupt (") + LZ4F_getErrorName(m_hint) +
                              ")");
      out.resize(at + out_size);
      in = in.subspan(in_size);
      if (in_size == 0 && out_size == 0) break;
    }
    // Drain what the context still holds.
    while (m_hint != 0) {
      const std::size_t at = out.size();
      out.resize(at + kChunk);
      std::size_t out_size = kChunk;
      std::size_t in_size = 0;
      m_hint = LZ4F_decompress(m_ctx, out.data() + at, &out_size, nullptr, &in_size, nullptr);
      if (LZ4F_isError(m_hint))
        throw ValidationError(std::string("lz4 data is corrupt (") + LZ4F_getErrorName(m_hint) +
                              ")");
      out.resize(at + out_size);
      if (out_size == 0) break;
    }
  }
  void finish(std::vector<std::byte>& out) override
  {
    update({}, out);
    if (m_hint != 0) throw ValidationError("lz4 data is truncated");
  }

private:
  LZ4F_dctx* m_ctx = nullptr;
  std::size_t m_hint = 1; // 0 once a frame has been fully decoded
};

class ZstDecompressor : public Transform
{
public:
  ZstDecompressor() : m_ctx(ZSTD_createDStream())
  {
    if (!m_ctx) throw Error("zstd could not create a decompression context");
  }
  ~ZstDecompressor() override { ZSTD_freeDStream(m_ctx); }
  ZstDecompressor(const ZstDecompressor&) = delete;
  ZstDecompressor& operator=(const ZstDecompressor&) = delete;

  void update(std::span<const std::byte> in, std::vector<std::byte>& out) override
  {
    // A finished frame followed by no input: nothing to do (asking zstd
    // again would return the header size of a next frame).
    if (in.empty() && m_pending == 0) return;
    ZSTD_inBuffer input{in.data(), in.size(), 0};
    bool more = true;
    while (input.pos < input.size || more) {
      const std::size_t at = out.size();
      out.resize(at + kChunk);
      ZSTD_outBuffer output{out.data() + at, kChunk, 0};
      const std::size_t rc = ZSTD_decompressStream(m_ctx, &output, &input);
      if (ZSTD_isError(rc))
        throw ValidationError(std::string("zstd data is corrupt (") + ZSTD_getErrorName(rc) + ")");
      out.resize(at + output.pos);
      m_pending = rc;
      // A frame that ended with all input consumed is done: asking again
      // would only return the header size of a next frame.
      if (rc == 0 && input.pos == input.size) break;
      more = output.pos == kChunk; // the output was full: there may be more
    }
  }
  void finish(std::vector<std::byte>& out) override
  {
    update({}, out);
    if (m_pending != 0) throw ValidationError("zstd data is truncated");
  }

private:
  ZSTD_DStream* m_ctx;
  std::size_t m_pending = 1;
};

class Bz2Decompressor : public Transform
{
public:
  Bz2Decompressor()
  {
    if (BZ2_bzDecompressInit(&m_bz, 0, 0) != BZ_OK) throw Error("bzip2 could not initialise");
  }
  ~Bz2Decompressor() override { BZ2_bzDecompressEnd(&m_bz); }
  Bz2Decompressor(const Bz2Decompressor&) = delete;
  Bz2Decompressor& operator=(const Bz2Decompressor&) = delete;

  void update(std::span<const std::byte> in, std::vector<std::byte>& out) override
  {
    m_bz.next_in = const_cast<char*>(reinterpret_cast<const char*>(in.data()));
    m_bz.avail_in = static_cast<unsigned>(in.size());
    bool more = true;
    while ((m_bz.avail_in > 0 || more) && !m_done) {
      const std::size_t at = out.size();
      out.resize(at + kChunk);
      m_bz.next_out = reinterpret_cast<char*>(out.data() + at);
      m_bz.avail_out = static_cast<unsigned>(kChunk);
      const int rc = BZ2_bzDecompress(&m_bz);
      out.resize(at + kChunk - m_bz.avail_out);
      more = m_bz.avail_out == 0;
      if (rc == BZ_STREAM_END)
        m_done = true;
      else if (rc != BZ_OK)
        throw ValidationError("bzip2 data is corrupt (error " + std::to_string(rc) + ")");
    }
    if (m_done && m_bz.avail_in > 0) throw ValidationError("bzip2 data continues after its end");
  }
  void finish(std::vector<std::byte>& out) override
  {
    update({}, out);
    if (!m_done) throw ValidationError("bzip2 data is truncated");
  }

private:
  bz_stream m_bz{};
  bool m_done = false;
};

} // namespace

std::optional<CompressType> parse_compress_type(std::string_view text)
{
  if (text == "none") return CompressType::none;
  if (text == "gz") return CompressType::gz;
  if (text == "lz4") return CompressType::lz4;
  if (text == "zst") return CompressType::zst;
  if (text == "bz2") return CompressType::bz2;
  return std::nullopt;
}

std::string_view to_string(CompressType type)
{
  switch (type) {
  case CompressType::none:
    return "none";
  case CompressType::gz:
    return "gz";
  case CompressType::lz4:
    return "lz4";
  case CompressType::zst:
    return "zst";
  case CompressType::bz2:
    return "bz2";
  }
  return "none";
}

std::string_view compress_extension(CompressType type)
{
  switch (type) {
  case CompressType::none:
    return "";
  case CompressType::gz:
    return ".gz";
  case CompressType::lz4:
    return ".lz4";
  case CompressType::zst:
    return ".zst";
  case CompressType::bz2:
    return ".bz2";
  }
  return "";
}

std::unique_ptr<Transform> make_decompressor(CompressType type, bool raw)
{
  switch (type) {
  case CompressType::gz:
    return std::make_unique<GzDecompressor>(raw);
  case CompressType::lz4:
    return std::make_unique<Lz4Decompressor>();
  case CompressType::zst:
    return std::make_unique<ZstDecompressor>();
  case CompressType::bz2:
    return std::make_unique<Bz2Decompressor>();
  case CompressType::none:
    break;
  }
  throw UsageError("no decompressor for compress type 'none'");
}

} // namespace lastgood::formats::pgbackrest
