#pragma once
// Reads one object once: hashes it (SHA-256), keeps its first and last bytes
// for classification, and walks base backup tars on the same pass.

#include <cstdint>
#include <string>

#include "catalog/classify.hpp"
#include "storage/storage.hpp"

namespace lastgood::catalog {

struct ReadResult {
  storage::ObjectInfo info;
  std::string sha256;            // empty if the object could not be read
  std::uint64_t bytes_read = 0;
  Classification classification;
  std::string read_error;        // why it could not be read; empty if it was
};

// Never throws for problems with the object itself; they land in read_error.
ReadResult read_and_classify(storage::Storage& storage, const storage::ObjectInfo& info);

} // namespace lastgood::catalog
