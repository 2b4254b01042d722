#include "common/fast_hash.hpp"

#include "common/error.hpp"
#include "common/sha256.hpp"

#include <algorithm>
#include <xxhash.h>

namespace lastgood {
namespace {

XXH3_state_t* state(void* p)
{
  return static_cast<XXH3_state_t*>(p);
}

} // namespace

void Xxh3_128::StateFree::operator()(void* state) const
{
  XXH3_freeState(static_cast<XXH3_state_t*>(state));
}

Xxh3_128::Xxh3_128() : m_state(XXH3_createState())
{
  if (!m_state) throw Error("libxxhash could not allocate an XXH3 state");
  reset();
}

Xxh3_128::~Xxh3_128() = default;
Xxh3_128::Xxh3_128(Xxh3_128&&) noexcept = default;
Xxh3_128& Xxh3_128::operator=(Xxh3_128&&) noexcept = default;

void Xxh3_128::reset()
{
  if (XXH3_128bits_reset(state(m_state.get())) != XXH_OK)
    throw Error("libxxhash XXH3 reset failed");
}

void Xxh3_128::update(std::span<const std::byte> data)
{
  if (XXH3_128bits_update(state(m_state.get()), data.data(), data.size()) != XXH_OK)
    throw Error("libxxhash XXH3 update failed");
}

std::string Xxh3_128::hex_digest() const
{
  XXH128_canonical_t canonical;
  XXH128_canonicalFromHash(&canonical, XXH3_128bits_digest(state(m_state.get())));
  return to_hex(std::span<const unsigned char>(canonical.digest, sizeof canonical.digest));
}

std::string Xxh3_128::of(std::string_view data)
{
  Xxh3_128 hash;
  hash.update(std::as_bytes(std::span(data)));
  return hash.hex_digest();
}

std::uint64_t fast_block_count(std::uint64_t size)
{
  return size == 0 ? 1 : (size + kFastBlockBytes - 1) / kFastBlockBytes;
}

std::string fast_block_digest(const FastDigest& digest, std::uint64_t index)
{
  if (digest.blocks.empty()) return index == 0 ? digest.whole : std::string();
  if ((index + 1) * 32 > digest.blocks.size()) return {};
  return digest.blocks.substr(index * 32, 32);
}

FastHasher::FastHasher(bool whole) : m_need_whole(whole) {}

void FastHasher::update(std::span<const std::byte> data)
{
  while (!data.empty()) {
    const auto take = static_cast<std::size_t>(
        std::min<std::uint64_t>(data.size(), kFastBlockBytes - m_in_block));
    const auto chunk = data.first(take);
    // Block 0's digest is the whole hash's state at its end: one pass, not two.
    if (m_need_whole || m_blocks_done == 0) m_whole.update(chunk);
    if (m_blocks_done > 0) m_block.update(chunk);
    m_in_block += take;
    data = data.subspan(take);
    if (m_in_block == kFastBlockBytes) {
      m_blocks += m_blocks_done == 0 ? m_whole.hex_digest() : m_block.hex_digest();
      m_block.reset();
      m_in_block = 0;
      ++m_blocks_done;
    }
  }
}

FastDigest FastHasher::finish()
{
  FastDigest out;
  if (m_in_block > 0 || m_blocks_done == 0) {
    m_blocks += m_blocks_done == 0 ? m_whole.hex_digest() : m_block.hex_digest();
    ++m_blocks_done;
  }
  if (m_need_whole || m_blocks_done == 1) out.whole = m_whole.hex_digest();
  // One block: its digest is the whole object's, kept once.
  if (m_blocks_done > 1) out.blocks = std::move(m_blocks);
  return out;
}

} // namespace lastgood
