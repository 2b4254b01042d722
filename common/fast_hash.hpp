#pragma once
// XXH3-128 (libxxhash): the fast, non-cryptographic hash routine
// re-verification compares instead of re-computing SHA-256. Every object also
// gets one XXH3-128 per fixed-size block, so a large object can be re-read in
// parallel ranges and a mismatch names the damaged byte range.
//
// Not tamper-evident: anyone who can rewrite a backup can make its XXH3 match.
// SHA-256 stays the catalog's identity of an object (docs/operations.md).

#include <cstddef>
#include <cstdint>
#include <memory>
#include <span>
#include <string>
#include <string_view>

namespace lastgood {

// Block size of the per-block hashes (64 MiB): a 1 TB catalog holds ~16,000
// block digests, 32 hex digits each, in its objects' rows (no row per block).
inline constexpr std::uint64_t kFastBlockBytes = std::uint64_t{64} << 20;

// Streaming XXH3-128; hex_digest() is the canonical (big-endian) form, 32 hex digits.
class Xxh3_128
{
public:
  Xxh3_128();
  ~Xxh3_128();
  Xxh3_128(Xxh3_128&&) noexcept;
  Xxh3_128& operator=(Xxh3_128&&) noexcept;

  void update(std::span<const std::byte> data);
  std::string hex_digest() const; // may be called any time
  void reset();

  static std::string of(std::string_view data);

private:
  struct StateFree
  {
    void operator()(void* state) const;
  };
  std::unique_ptr<void, StateFree> m_state;
};

// What the catalog keeps of an object for fast re-verification.
struct FastDigest
{
  std::string whole;  // XXH3-128 of the object, 32 hex digits
  std::string blocks; // XXH3-128 of each kFastBlockBytes block, concatenated; empty for <= 1 block
  bool empty() const { return whole.empty(); }
};

// Number of kFastBlockBytes blocks in an object of `size` bytes (an empty object has one).
std::uint64_t fast_block_count(std::uint64_t size);
// The expected digest of block `index`: the whole object's when it has one block.
std::string fast_block_digest(const FastDigest& digest, std::uint64_t index);

// XXH3-128 of the whole stream and of each block, in one pass.
class FastHasher
{
public:
  // whole = false: the whole object's digest is left empty when it has more
  // than one block (re-verification compares blocks; saves a second pass).
  explicit FastHasher(bool whole = true);
  void update(std::span<const std::byte> data);
  FastDigest finish(); // call once

private:
  bool m_need_whole;
  Xxh3_128 m_whole, m_block;
  std::uint64_t m_in_block = 0;
  std::uint64_t m_blocks_done = 0;
  std::string m_blocks;
};

} // namespace lastgood
