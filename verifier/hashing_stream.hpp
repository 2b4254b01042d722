#pragma once
// A ReadStream that hashes (SHA-256, and XXH3-128 per block when asked) and
// counts everything read through it, so a walk over an object and a final
// drain prove the whole object was read exactly once, and what it hashes to.

#include "common/fast_hash.hpp"
#include "common/sha256.hpp"
#include "storage/storage.hpp"

#include <cstdint>
#include <memory>
#include <optional>
#include <span>
#include <string>

namespace lastgood::verifier {

class HashingStream : public storage::ReadStream
{
public:
  // fast: also XXH3-128 per 64 MiB block, which names the bytes that differ.
  explicit HashingStream(storage::ReadStream& inner, bool fast = false) : m_inner(inner)
  {
    if (fast) m_fast.emplace();
  }
  std::size_t read(std::span<std::byte> buffer) override
  {
    std::size_t n = m_inner.read(buffer);
    m_hash.update(buffer.first(n));
    if (m_fast) m_fast->update(buffer.first(n));
    m_bytes += n;
    return n;
  }
  std::uint64_t bytes() const { return m_bytes; }
  std::string hex_digest() { return m_hash.hex_digest(); }
  // Once, after the last read; empty unless constructed with fast.
  FastDigest fast_digest() { return m_fast ? m_fast->finish() : FastDigest{}; }

private:
  storage::ReadStream& m_inner;
  Sha256 m_hash;
  std::optional<FastHasher> m_fast;
  std::uint64_t m_bytes = 0;
};

// The same for a stream handed on to a decompressor, which takes ownership:
// the hash and the count live with the caller, and stay valid (the bytes
// read so far) when a read throws.
class TallyingStream : public storage::ReadStream
{
public:
  TallyingStream(std::unique_ptr<storage::ReadStream> inner, Sha256& hash, std::uint64_t& bytes)
      : m_inner(std::move(inner)), m_hash(hash), m_bytes(bytes)
  {
  }
  std::size_t read(std::span<std::byte> buffer) override
  {
    std::size_t n = m_inner->read(buffer);
    m_hash.update(buffer.first(n));
    m_bytes += n;
    return n;
  }

private:
  std::unique_ptr<storage::ReadStream> m_inner;
  Sha256& m_hash;
  std::uint64_t& m_bytes;
};

} // namespace lastgood::verifier
