#include "pg/decompress.hpp"

#include "common/error.hpp"

#include <algorithm>
#include <vector>
#include <zlib.h>
#include <zstd.h>

namespace lastgood::pg {
namespace {

constexpr std::size_t kInputBlock = 256 * 1024;

// Reads the compressed source in blocks; remembers when it has ended.
class SourceBuffer
{
public:
  explicit SourceBuffer(std::unique_ptr<storage::ReadStream> source)
      : m_source(std::move(source)), m_buffer(kInputBlock)
  {
  }
  // Refills the buffer; returns the bytes read, 0 (and eof() from then on) at the end.
  std::size_t refill()
  {
    std::size_t n = m_source->read(m_buffer);
    if (n == 0) m_eof = true;
    return n;
  }
  bool eof() const { return m_eof; }
  std::byte* data() { return m_buffer.data(); }

private:
  std::unique_ptr<storage::ReadStream> m_source;
  std::vector<std::byte> m_buffer;
  bool m_eof = false;
};

class GzipReadStream : public storage::ReadStream
{
public:
  explicit GzipReadStream(std::unique_ptr<storage::ReadStream> source) : m_source(std::move(source))
  {
    // 15 + 32: maximum window, detect gzip or zlib header automatically.
    if (inflateInit2(&m_zs, 15 + 32) != Z_OK) throw Error("zlib could not initialise inflate");
    m_initialised = true;
  }
  ~GzipReadStream() override
  {
    if (m_initialised) inflateEnd(&m_zs);
  }
  GzipReadStream(const GzipReadStream&) = delete;
  GzipReadStream& operator=(const GzipReadStream&) = delete;

  std::size_t read(std::span<std::byte> buffer) override
  {
    if (buffer.empty()) return 0;
    m_zs.next_out = reinterpret_cast<Bytef*>(buffer.data());
    m_zs.avail_out = static_cast<uInt>(std::min<std::size_t>(buffer.size(), 1u << 30));
    const uInt out_size = m_zs.avail_out;
    while (m_zs.avail_out == out_size) {
      if (m_zs.avail_in == 0 && !m_source.eof()) {
        m_zs.next_in = reinterpret_cast<Bytef*>(m_source.data());
        m_zs.avail_in = static_cast<uInt>(m_source.refill());
      }
      if (m_member_ended) {
        if (m_zs.avail_in == 0 && m_source.eof()) return 0;
        inflateReset(&m_zs); // another gzip member follows (concatenated .gz)
        m_member_ended = false;
      }
      int rc = inflate(&m_zs, Z_NO_FLUSH);
      if (rc == Z_STREAM_END) {
        m_member_ended = true;
      } else if (rc == Z_BUF_ERROR || (rc == Z_OK && m_zs.avail_in == 0 && m_source.eof() &&
                                       m_zs.avail_out == out_size)) {
        if (m_zs.avail_in == 0 && m_source.eof())
          throw ValidationError("gzip stream is truncated: input ended before the end of the "
                                "compressed data");
      } else if (rc != Z_OK) {
        throw ValidationError(std::string("gzip stream is corrupt: ") +
                              (m_zs.msg ? m_zs.msg : zError(rc)));
      }
    }
    return out_size - m_zs.avail_out;
  }

private:
  SourceBuffer m_source;
  z_stream m_zs{};
  bool m_initialised = false;
  bool m_member_ended = false;
};

struct ZstdDStreamFree
{
  void operator()(ZSTD_DStream* stream) const { ZSTD_freeDStream(stream); }
};

class ZstdReadStream : public storage::ReadStream
{
public:
  explicit ZstdReadStream(std::unique_ptr<storage::ReadStream> source)
      : m_source(std::move(source)), m_stream(ZSTD_createDStream())
  {
    if (!m_stream) throw Error("libzstd could not create a decompression stream");
    ZSTD_initDStream(m_stream.get());
  }

  std::size_t read(std::span<std::byte> buffer) override
  {
    if (buffer.empty()) return 0;
    ZSTD_outBuffer out{buffer.data(), buffer.size(), 0};
    while (out.pos == 0) {
      if (m_in.pos == m_in.size && !m_source.eof()) {
        m_in.src = m_source.data();
        m_in.size = m_source.refill();
        m_in.pos = 0;
      }
      const bool input_done = m_in.pos == m_in.size && m_source.eof();
      if (input_done && m_frame_complete) return 0;
      std::size_t rc = ZSTD_decompressStream(m_stream.get(), &out, &m_in);
      if (ZSTD_isError(rc))
        throw ValidationError(std::string("zstd stream is corrupt: ") + ZSTD_getErrorName(rc));
      m_frame_complete = rc == 0;
      if (input_done && out.pos == 0 && !m_frame_complete)
        throw ValidationError("zstd stream is truncated: input ended before the end of the "
                              "compressed frame");
    }
    return out.pos;
  }

private:
  SourceBuffer m_source;
  std::unique_ptr<ZSTD_DStream, ZstdDStreamFree> m_stream;
  ZSTD_inBuffer m_in{nullptr, 0, 0};
  bool m_frame_complete = false; // the last call finished a frame (nothing pending)
};

} // namespace

std::unique_ptr<storage::ReadStream>
decompressing_stream(std::unique_ptr<storage::ReadStream> source, std::string_view compression)
{
  if (compression.empty()) return source;
  if (compression == "gz") return std::make_unique<GzipReadStream>(std::move(source));
  if (compression == "zst") return std::make_unique<ZstdReadStream>(std::move(source));
  throw UsageError("unknown compression \"" + std::string(compression) +
                   "\": expected \"\" (none), \"gz\" or \"zst\"");
}

} // namespace lastgood::pg
