#pragma once
// A ReadStream over bytes already in memory (a captured head, test data).

#include "storage/storage.hpp"

#include <algorithm>
#include <cstdint>
#include <cstring>
#include <string>

namespace lastgood::storage {

// max_chunk bounds the bytes one read() returns, to act like a slow source.
class StringReadStream : public ReadStream
{
public:
  explicit StringReadStream(std::string data, std::size_t max_chunk = SIZE_MAX)
      : m_data(std::move(data)), m_max_chunk(max_chunk)
  {
  }
  std::size_t read(std::span<std::byte> buffer) override
  {
    std::size_t n = std::min({buffer.size(), m_max_chunk, m_data.size() - m_offset});
    std::memcpy(buffer.data(), m_data.data() + m_offset, n);
    m_offset += n;
    return n;
  }

private:
  std::string m_data;
  std::size_t m_max_chunk;
  std::size_t m_offset = 0;
};

// Reads until limit bytes or the end of the stream, whichever comes first.
std::string read_up_to(ReadStream& stream, std::size_t limit);

} // namespace lastgood::storage
