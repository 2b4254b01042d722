// Compressed WAL in an archive (.gz, .zst), streamed through pg::decompressing_stream.
// The first byte picks the compression, the rest is the compressed file.
#include "common/error.hpp"
#include "pg/decompress.hpp"
#include "storage/string_read_stream.hpp"
#include "tests/fuzz/fuzz_target.hpp"

#include <array>
#include <memory>

LASTGOOD_FUZZ_TARGET(decompress)
{
  if (input.empty()) return;
  const char* compression = (input[0] & 1) ? "zst" : "gz";
  auto stream = lastgood::pg::decompressing_stream(
      std::make_unique<lastgood::storage::StringReadStream>(std::string(input.substr(1)), 4096),
      compression);
  std::array<std::byte, 65536> buffer;
  try {
    // Bounded: a WAL segment is at most 1 GiB; 32 MiB keeps each run fast.
    for (std::size_t total = 0; total < (32u << 20);) {
      const std::size_t n = stream->read(buffer);
      if (n == 0) break;
      total += n;
    }
  } catch (const lastgood::ValidationError&) {
  }
}
