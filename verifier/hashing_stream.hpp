#pragma once
// A ReadStream that hashes (SHA-256) and counts everything read through it,
// so a walk over an object and a final drain prove the whole object was read
// exactly once, and what it hashes to.

#include "common/sha256.hpp"
#include "storage/storage.hpp"

#include <cstdint>
#include <memory>
#include <span>
#include <string>

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
