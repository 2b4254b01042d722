#include "formats/barman/bzip2_stream.hpp"

#include "common/error.hpp"

#include <algorithm>
#include <bzlib.h>
#include <vector>

namespace lastgood::formats::barman {
namespace {

class Bzip2ReadStream : public storage::ReadStream
{
public:
  explicit Bzip2ReadStream(std::unique_ptr<storage::ReadStream> source)
      : m_source(std::move(source)), m_input(256 * 1024)
  {
    start();
  }
  ~Bzip2ReadStream() override
  {
    if (m_started) BZ2_bzDecompressEnd(&m_bz);
  }
  Bzip2ReadStream(const Bzip2ReadStream&) = delete;
  Bzip2ReadStream& operator=(const Bzip2ReadStream&) = delete;

  std::size_t read(std::span<std::byte> buffer) override
  {
    if (buffer.empty()) return 0;
    while (!m_finished) {
      if (m_bz.avail_in == 0 && !m_source_ended) refill();
      if (m_bz.avail_in == 0 && m_source_ended) {
        if (!m_at_stream_end) throw ValidationError("bzip2 data is truncated");
        m_finished = true;
        break;
      }
      // Another stream may follow the one that ended (pbzip2, cat a.bz2 b.bz2).
      if (m_at_stream_end) restart();
      m_bz.next_out = reinterpret_cast<char*>(buffer.data());
      m_bz.avail_out = static_cast<unsigned>(std::min<std::size_t>(buffer.size(), 1u << 30));
      const unsigned out_size = m_bz.avail_out;
      int rc = BZ2_bzDecompress(&m_bz);
      if (rc == BZ_STREAM_END)
        m_at_stream_end = true;
      else if (rc != BZ_OK)
        throw ValidationError("bzip2 data is corrupt (libbz2 error " + std::to_string(rc) + ")");
      std::size_t produced = out_size - m_bz.avail_out;
      if (produced > 0) return produced;
    }
    return 0;
  }

private:
  void start()
  {
    m_bz = bz_stream{};
    if (BZ2_bzDecompressInit(&m_bz, 0, 0) != BZ_OK) throw Error("libbz2 could not initialise");
    m_started = true;
  }
  void restart()
  {
    char* next_in = m_bz.next_in;
    unsigned avail_in = m_bz.avail_in;
    BZ2_bzDecompressEnd(&m_bz);
    m_started = false;
    start();
    m_bz.next_in = next_in;
    m_bz.avail_in = avail_in;
    m_at_stream_end = false;
  }
  void refill()
  {
    std::size_t n = m_source->read(m_input);
    if (n == 0) m_source_ended = true;
    m_bz.next_in = reinterpret_cast<char*>(m_input.data());
    m_bz.avail_in = static_cast<unsigned>(n);
  }

  std::unique_ptr<storage::ReadStream> m_source;
  std::vector<std::byte> m_input;
  bz_stream m_bz{};
  bool m_started = false;
  bool m_source_ended = false;
  bool m_at_stream_end = false;
  bool m_finished = false;
};

} // namespace

std::unique_ptr<storage::ReadStream> bzip2_stream(std::unique_ptr<storage::ReadStream> source)
{
  return std::make_unique<Bzip2ReadStream>(std::move(source));
}

} // namespace lastgood::formats::barman
