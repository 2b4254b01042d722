#pragma once
// A ReadStream that hashes (SHA-256) and counts everything read through it,
// so a walk over an object and a final drain prove the whole object was read
// exactly once, and what it hashes to.

#include <cstdint>
#include <span>
#include <string>

#include "common/sha256.hpp"
#include "storage/storage.hpp"

namespace lastgood::verifier {

class HashingStream : public storage::ReadStream
{
public:
  explicit HashingStream(storage::ReadStream& inner) : m_inner(inner) {}
  std::size_t read(std::span<std::byte> buffer) override
  {
    std::size_t n = m_inner.read(buffer);
    m_hash.update(buffer.first(n));
    m_bytes += n;
    return n;
  }
  std::uint64_t bytes() const { return m_bytes; }
  std::string hex_digest() { return m_hash.hex_digest(); }

private:
  storage::ReadStream& m_inner;
  Sha256 m_hash;
  std::uint64_t m_bytes = 0;
};

} // namespace lastgood::verifier
