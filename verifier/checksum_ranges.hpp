#pragma once
// Re-verifying one large object in parallel: each 64 MiB block is read as its
// own range and compared with the catalog's XXH3-128 of that block; for a
// base backup's data file the ranges' CRC-32C are joined for the manifest.

#include "storage/storage.hpp"
#include "verifier/checksum_object.hpp"

#include <cstdint>
#include <span>
#include <string>
#include <vector>

namespace lastgood::verifier {

// Whether the job can be read in block ranges: a large object with XXH3-128
// digests in the catalog, compared by XXH3 only, not a tar (members stream).
bool reads_in_ranges(const ObjectJob& job);

struct BlockOutcome
{
  std::uint64_t bytes = 0;  // read from the block's range (one more: the object grew)
  std::string xxh3;         // of the block's bytes
  std::uint32_t crc32c = 0; // of the block's bytes, when asked for
  bool failed = false;      // the range could not be read: the object is read whole instead
};

// Reads block `index` of the job's object. Never throws for the object's problems.
BlockOutcome read_block(storage::Storage& storage, const ObjectJob& job, std::uint64_t index,
                        bool crc32c, std::span<std::byte> buffer);

// After every block was read: whether the blocks add up to the whole object
// as cataloged (else it is read whole, which reports the size or the error).
bool blocks_complete(const ObjectJob& job, const std::vector<BlockOutcome>& blocks);

// Compares the blocks with the catalog (one finding naming the byte ranges of
// those that differ) and, when manifest is set, records the file's size and
// joined CRC-32C with it. Call only when blocks_complete().
void finish_ranged(const ObjectJob& job, const std::vector<BlockOutcome>& blocks,
                   ManifestVerifier::FileCheck* manifest, Findings& findings);

} // namespace lastgood::verifier
