// Tar archives of base backups (plain, gzip, zstd, lz4: detected from the
// content), walked member by member with every member's data read.
#include "common/error.hpp"
#include "pg/tar_reader.hpp"
#include "storage/string_read_stream.hpp"
#include "tests/fuzz/fuzz_target.hpp"

#include <array>

LASTGOOD_FUZZ_TARGET(tar_reader)
{
  // Small chunks so that block boundaries fall inside headers too.
  lastgood::storage::StringReadStream source(std::string(input), 4096);
  try {
    lastgood::pg::for_each_tar_member(
        source, [](const lastgood::pg::TarMember&, lastgood::storage::ReadStream& content) {
          std::array<std::byte, 16384> buffer;
          // Bounded: a decompression bomb must not turn into a slow input.
          for (std::size_t total = 0; total < (1u << 22);) {
            const std::size_t n = content.read(buffer);
            if (n == 0) break;
            total += n;
          }
          return true;
        });
  } catch (const lastgood::ValidationError&) {
  }
}
