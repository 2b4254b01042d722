#pragma once
// Streaming decompression of archived files (gzip via zlib, zstd via libzstd).

#include <memory>
#include <string_view>

#include "storage/storage.hpp"

namespace lastgood::pg {

// compression: "" (pass-through), "gz", "zst". Throws UsageError for others.
// The returned stream throws ValidationError on corrupt or truncated input.
std::unique_ptr<storage::ReadStream> decompressing_stream(std::unique_ptr<storage::ReadStream> source,
                                                          std::string_view compression);

} // namespace lastgood::pg
