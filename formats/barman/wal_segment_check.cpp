#include "formats/barman/wal_segment_check.hpp"

#include "pg/lsn.hpp"
#include "pg/wal_page_header.hpp"

#include <algorithm>
#include <cstdio>
#include <cstring>
#include <vector>

namespace lastgood::formats::barman {
namespace {

std::string hex(std::uint64_t v)
{
  char buf[20];
  std::snprintf(buf, sizeof buf, "%llX", static_cast<unsigned long long>(v));
  return buf;
}

template <typename T> T load(const std::byte* p)
{
  T v;
  std::memcpy(&v, p, sizeof v);
  return v; // WAL is written in the host's byte order; Barman hosts are little-endian x86/arm
}

bool all_zero(const std::byte* p, std::size_t n)
{
  return std::all_of(p, p + n, [](std::byte b) { return b == std::byte{0}; });
}

SegmentProblem header_problem(std::string message)
{
  return {false, std::move(message)};
}

} // namespace

std::optional<SegmentProblem> check_wal_segment(storage::ReadStream& bytes,
                                                const ExpectedSegment& expected)
{
  const std::uint64_t start = pg::segment_start(expected.segno, expected.segment_size).value;
  std::vector<std::byte> page;
  std::uint64_t offset = 0;
  std::uint32_t block_size = 0;
  std::uint16_t magic = 0;
  bool in_zero_tail = false;
  std::vector<std::byte> buffer(1 << 20);
  std::optional<SegmentProblem> problem;
  while (true) {
    std::size_t n = bytes.read(buffer);
    if (n == 0) break;
    for (std::size_t i = 0; i < n;) {
      // Collect one page (the block size is known after the first header).
      std::size_t want = block_size == 0 ? 40 : block_size;
      std::size_t take = std::min(want - page.size(), n - i);
      page.insert(page.end(), buffer.begin() + static_cast<std::ptrdiff_t>(i),
                  buffer.begin() + static_cast<std::ptrdiff_t>(i + take));
      i += take;
      if (page.size() < want) continue;
      if (block_size == 0) {
        auto header = pg::parse_wal_long_page_header(
            std::string_view(reinterpret_cast<const char*>(page.data()), page.size()));
        if (!header) return header_problem("no WAL long page header at offset 0");
        if (header->page_address != start)
          return header_problem("first page is for LSN " + pg::Lsn{header->page_address}.str() +
                                ", not this segment's start " + pg::Lsn{start}.str());
        if (header->timeline != expected.timeline)
          return header_problem("first page is on timeline " + std::to_string(header->timeline) +
                                ", the name says " + std::to_string(expected.timeline));
        if (expected.system_identifier && header->system_identifier != *expected.system_identifier)
          return header_problem("written by cluster " + std::to_string(header->system_identifier) +
                                ", the backup's is " + std::to_string(*expected.system_identifier));
        if (header->segment_size != expected.segment_size)
          return header_problem("segment size " + std::to_string(header->segment_size) +
                                " in the header, expected " +
                                std::to_string(expected.segment_size));
        if (header->block_size < 1024 || (header->block_size & (header->block_size - 1)) ||
            header->block_size > 65536)
          return header_problem("implausible WAL block size " + std::to_string(header->block_size));
        block_size = header->block_size;
        magic = header->magic;
        continue; // keep collecting the rest of the first page
      }
      std::uint64_t page_start = offset;
      offset += page.size();
      if (page_start != 0 && !problem) {
        if (all_zero(page.data(), page.size())) {
          in_zero_tail = true;
        } else if (in_zero_tail) {
          problem =
              header_problem("data after the zero-filled tail at offset 0x" + hex(page_start));
        } else if (load<std::uint16_t>(page.data()) != magic ||
                   load<std::uint64_t>(page.data() + 8) != start + page_start ||
                   load<std::uint32_t>(page.data() + 4) != expected.timeline) {
          problem =
              header_problem("page at offset 0x" + hex(page_start) +
                             " has no valid header for LSN " + pg::Lsn{start + page_start}.str());
        }
      }
      page.clear();
    }
  }
  offset += page.size();
  if (offset != expected.segment_size)
    return SegmentProblem{true, "decompresses to " + std::to_string(offset) + " bytes, not " +
                                    std::to_string(expected.segment_size)};
  return problem;
}

} // namespace lastgood::formats::barman
