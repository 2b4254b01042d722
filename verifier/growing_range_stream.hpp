#pragma once
// An object read in ranged reads that double in size (64 KiB, 128 KiB, ...
// up to 8 MiB), each started only when the one before is used up: for a
// reader that usually wants only the head (pg_restore --list reads a custom
// dump's TOC), so a whole-object read's read-ahead does not fetch the rest.

#include "storage/storage.hpp"

#include <algorithm>
#include <cstdint>
#include <memory>
#include <string>

namespace lastgood::verifier {

class GrowingRangeStream : public storage::ReadStream
{
public:
  // size: the object's size as cataloged; reading stops there.
  GrowingRangeStream(storage::Storage& storage, std::string key, std::uint64_t size)
      : m_storage(storage), m_key(std::move(key)), m_size(size)
  {
  }
  std::size_t read(std::span<std::byte> buffer) override
  {
    while (m_offset < m_size) {
      if (!m_current) {
        m_window_end = std::min(m_size, m_offset + m_window);
        m_current = m_storage.read(m_key, m_offset, m_window_end - m_offset);
        m_window = std::min<std::uint64_t>(m_window * 2, kLargest);
      }
      const auto want = std::min<std::uint64_t>(buffer.size(), m_window_end - m_offset);
      const std::size_t n = m_current->read(buffer.first(static_cast<std::size_t>(want)));
      m_offset += n;
      if (n > 0) return n;
      m_current.reset();
      if (m_offset < m_window_end) break; // shorter than cataloged: the end
    }
    return 0;
  }

private:
  static constexpr std::uint64_t kLargest = 8u << 20;
  storage::Storage& m_storage;
  std::string m_key;
  std::uint64_t m_size, m_offset = 0, m_window = 64u << 10, m_window_end = 0;
  std::unique_ptr<storage::ReadStream> m_current;
};

} // namespace lastgood::verifier
