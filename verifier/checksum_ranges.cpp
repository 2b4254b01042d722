#include "verifier/checksum_ranges.hpp"

#include "common/error.hpp"
#include "common/fast_hash.hpp"
#include "pg/crc32c.hpp"

#include <algorithm>

namespace lastgood::verifier {

bool reads_in_ranges(const ObjectJob& job)
{
  return job.in_catalog && !job.use_sha256 && !job.expected_fast.empty() &&
         !job.expected_fast.blocks.empty() && job.expected_size > kFastBlockBytes &&
         job.content != ObjectContent::BaseTar && job.content != ObjectContent::TablespaceTar;
}

BlockOutcome read_block(storage::Storage& storage, const ObjectJob& job, std::uint64_t index,
                        bool crc32c, std::span<std::byte> buffer)
{
  BlockOutcome out;
  const std::uint64_t offset = index * kFastBlockBytes;
  const std::uint64_t length = std::min(kFastBlockBytes, job.expected_size - offset);
  const bool last = offset + length == job.expected_size;
  try {
    // The last range asks for one byte more: getting it means the object grew.
    auto stream = storage.read(job.key, offset, length + (last ? 1 : 0));
    Xxh3_128 hash;
    pg::Crc32c crc;
    for (;;) {
      std::size_t n = stream->read(buffer);
      if (n == 0) break;
      const std::uint64_t wanted = out.bytes < length ? length - out.bytes : 0;
      const auto bytes = std::span<const std::byte>(buffer).first(
          static_cast<std::size_t>(std::min<std::uint64_t>(n, wanted)));
      hash.update(bytes);
      if (crc32c) crc.update(bytes);
      out.bytes += n;
    }
    out.xxh3 = hash.hex_digest();
    out.crc32c = crc.value();
  } catch (const std::exception&) {
    out.failed = true; // read whole: that reports missing or unreadable with its reason
  }
  return out;
}

bool blocks_complete(const ObjectJob& job, const std::vector<BlockOutcome>& blocks)
{
  if (blocks.size() != fast_block_count(job.expected_size)) return false;
  for (std::size_t i = 0; i < blocks.size(); ++i) {
    const std::uint64_t offset = i * kFastBlockBytes;
    const std::uint64_t length = std::min(kFastBlockBytes, job.expected_size - offset);
    if (blocks[i].failed || blocks[i].bytes != length) return false;
  }
  return true;
}

void finish_ranged(const ObjectJob& job, const std::vector<BlockOutcome>& blocks,
                   ManifestVerifier::FileCheck* manifest, Findings& findings)
{
  std::vector<std::uint64_t> bad;
  for (std::size_t i = 0; i < blocks.size(); ++i)
    if (blocks[i].xxh3 != fast_block_digest(job.expected_fast, i)) bad.push_back(i);
  if (!bad.empty()) add_block_mismatch(job, bad, findings);
  if (!manifest) return;
  std::uint32_t crc = blocks.front().crc32c;
  for (std::size_t i = 1; i < blocks.size(); ++i)
    crc = pg::crc32c_combine(crc, blocks[i].crc32c, blocks[i].bytes);
  manifest->finish_from_ranges(job.expected_size, crc);
}

} // namespace lastgood::verifier
