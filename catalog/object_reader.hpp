#pragma once
// Reads one object once: hashes it (SHA-256 and XXH3-128 per block), keeps its first and last bytes
// for classification, and walks base backup tars on the same pass.

#include "catalog/classify.hpp"
#include "common/fast_hash.hpp"
#include "storage/storage.hpp"

#include <cstdint>
#include <string>

namespace lastgood::catalog {

struct ReadResult
{
  storage::ObjectInfo info;
  std::string sha256; // empty if the object could not be read
  FastDigest fast;    // XXH3-128 of it and its blocks; empty with sha256
  std::uint64_t bytes_read = 0;
  Classification classification;
  std::string read_error; // why it could not be read; empty if it was
};

// Never throws for problems with the object itself; they land in read_error.
ReadResult read_and_classify(storage::Storage& storage, const storage::ObjectInfo& info);

} // namespace lastgood::catalog
