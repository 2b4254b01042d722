#pragma once
// Whether the bytes of one decompressed WAL segment are that segment: exactly
// segment_size bytes; a long page header at offset 0 naming this timeline,
// segment start, cluster and segment size; every further page either a page
// header of this segment in sequence, or zeros to the end (the unused rest
// after a WAL switch). Record CRCs are not checked (pg_waldump's job).

#include "storage/storage.hpp"

#include <cstdint>
#include <optional>
#include <string>

namespace lastgood::formats::barman {

struct ExpectedSegment
{
  std::uint32_t timeline = 0;
  std::uint64_t segno = 0;
  std::uint64_t segment_size = 0;
  std::optional<std::uint64_t> system_identifier;
};

struct SegmentProblem
{
  bool corrupt = false; // wrong length (else: wrong headers)
  std::string message;
};

// Reads the whole stream. Returns what is wrong, or nullopt. Lets the
// stream's own errors (ValidationError for bad compressed data, StorageError) through.
std::optional<SegmentProblem> check_wal_segment(storage::ReadStream& bytes,
                                                const ExpectedSegment& expected);

} // namespace lastgood::formats::barman
