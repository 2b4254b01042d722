#pragma once
// Commit times inside one WAL segment, read by pg_waldump: what maps a
// recovery_target_time to WAL exactly (recovery stops at commit and abort
// records, pg-formats.md §4).

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace lastgood::pg {

struct CommitTimes
{
  std::optional<std::string> first_time, latest_time; // RFC 3339 UTC with microseconds
  std::optional<std::uint64_t> first_lsn, latest_lsn;
  std::uint64_t commits = 0; // commit and abort records (incl. prepared)
};

// Parses `pg_waldump --rmgr=Transaction` output printed with TZ=UTC.
CommitTimes parse_waldump_commits(std::string_view output);

// Runs pg_waldump on `dir`/`segment_name` (a canonical 24-character name, the
// file uncompressed) on that segment alone. pg_waldump stopping at an invalid
// record at the end is normal; throws Error when it is not installed or reads
// no record at all.
CommitTimes read_commit_times(const std::string& dir, const std::string& segment_name);

} // namespace lastgood::pg
