#pragma once
// A Barman backup's backup.info (base/<backup id>/backup.info in Barman 3.x):
// "key=value" lines, values as Python writes them (None, numbers, repr()'d
// strings, lists of tablespace tuples). Barman 3.4 has no meta/ directory;
// the same parser reads newer meta/<id>-backup.info files.

#include "common/time.hpp"
#include "pg/lsn.hpp"

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace lastgood::formats::barman {

struct BarmanTablespace
{
  std::string name;
  std::uint32_t oid = 0;
  std::string location; // on the server the backup came from
};

struct BarmanBackupInfo
{
  std::string backup_id; // the file's own backup_id, else the directory name (reader)
  std::string status;    // DONE, WAITING_FOR_WALS, FAILED, STARTED, SYNCING, EMPTY
  std::string server_name;
  std::string backup_name; // optional label given with `barman backup --name`
  std::string mode;        // backup method: "postgres", "rsync-concurrent", ...
  std::string begin_time;  // as written: "2026-11-26 06:46:59.966803+00:00"
  std::string end_time;
  std::optional<TimePoint> begin_time_utc; // when the text carries a zone (Barman 2.x and later)
  std::optional<TimePoint> end_time_utc;
  std::string begin_wal; // first segment needed, e.g. 000000010000000000000002
  std::string end_wal;   // last segment needed
  std::optional<pg::Lsn> begin_xlog;
  std::optional<pg::Lsn> end_xlog;
  std::optional<std::uint64_t> begin_offset;
  std::optional<std::uint64_t> end_offset;
  std::optional<std::uint32_t> timeline;
  std::optional<std::uint64_t> systemid;
  std::optional<int> version; // server_version_num, e.g. 150018
  std::uint64_t xlog_segment_size = pg::kDefaultWalSegmentSize;
  std::optional<std::uint64_t> size;
  std::optional<std::uint64_t> deduplicated_size;
  std::string compression; // backup_compression: "" (plain data/), "gzip", "lz4", "zstd"
  std::string pgdata;
  std::string error;
  std::string backup_label; // the backup_label text Barman kept, decoded
  std::vector<BarmanTablespace> tablespaces;
  std::map<std::string, std::string> other; // keys not interpreted here, raw text
};

// Throws ValidationError naming the line (1-based) and key of the first
// malformed entry: a line without '=', a duplicate key, a number, LSN, WAL
// name or literal that does not parse. Comments (#) and blank lines are skipped.
BarmanBackupInfo parse_backup_info(std::string_view text);

// Whether the backup is complete as far as Barman knows (status DONE).
bool is_done(const BarmanBackupInfo& info);

} // namespace lastgood::formats::barman
