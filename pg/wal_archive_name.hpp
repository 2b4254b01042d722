#pragma once
// Names of files in a WAL archive: segments, .partial segments, timeline
// .history files and .backup history files, optionally compressed.

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace lastgood::pg {

enum class WalFileKind { Segment, Partial, TimelineHistory, BackupHistory };
std::string_view to_string(WalFileKind kind); // "segment", "partial", "history", "backup_history"

struct WalArchiveName
{
  WalFileKind kind = WalFileKind::Segment;
  std::uint32_t timeline = 0;
  std::uint32_t xlogid = 0;        // middle 8 hex digits (segments, .backup)
  std::uint32_t xlogseg = 0;       // last 8 hex digits (segments, .backup)
  std::uint32_t backup_offset = 0; // .backup: start LSN's offset in its segment
  std::string compression;         // "", "gz", "zst", "lz4", "bz2", "xz"
  // The name without compression or tool suffix, upper-case hex: what PostgreSQL
  // asks for, e.g. "000000010000000000000002", "00000002.history"; a partial
  // segment keeps ".partial" so it is never mistaken for the whole segment.
  std::string canonical;

  // Segment number for the given segment size: xlogid * per_id + xlogseg.
  std::uint64_t segno(std::uint64_t segment_size) const;
};

// Parses the last path component of a key. Upper- or lower-case hex accepted,
// canonical is upper-case. Returns nullopt for anything that is not a WAL
// archive file (including timeline 0). A tool suffix such as "-<40 hex>" is
// accepted before the compression extension.
std::optional<WalArchiveName> parse_wal_archive_name(std::string_view basename);

// The timeline of a 24-character segment name (another tool's record of a
// backup's start or stop segment); nullopt for anything else.
std::optional<std::int64_t> segment_timeline(std::string_view name);

} // namespace lastgood::pg
