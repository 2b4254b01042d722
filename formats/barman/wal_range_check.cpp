#include "formats/barman/wal_range_check.hpp"

#include "common/error.hpp"
#include "formats/barman/wal_compression.hpp"
#include "formats/barman/wal_segment_check.hpp"
#include "pg/lsn.hpp"

#include <map>

namespace lastgood::formats::barman {
namespace {

void check_segment(storage::Storage& storage, const BarmanWalFile& file,
                   const std::string& relative, const ExpectedSegment& expected,
                   WalRangeResult& result)
{
  WalCompression compression =
      detect_wal_compression(storage::read_head(storage, file.key, 64), /*wal_segment=*/true);
  if (compression == WalCompression::Unknown) {
    result.findings.push_back({FindingKind::UnknownCompression, relative,
                               relative + " starts with bytes of no compression this reader " +
                                   "knows (gzip, bzip2 or none); refusing to read it"});
    return;
  }
  try {
    auto stream = decompressed(storage.read(file.key), compression);
    if (auto problem = check_wal_segment(*stream, expected)) {
      result.findings.push_back(
          {problem->corrupt ? FindingKind::CorruptWal : FindingKind::BadWalHeader, relative,
           relative + " (" + std::string(to_string(compression)) + "): " + problem->message});
      return;
    }
  } catch (const ValidationError& e) {
    result.findings.push_back({FindingKind::CorruptWal, relative,
                               relative + " (" + std::string(to_string(compression)) +
                                   ") does not decompress: " + e.what()});
    return;
  }
  ++result.segments_valid;
}

} // namespace

WalRangeResult check_backup_wal_range(storage::Storage& storage, const BarmanServer& server,
                                      const BarmanBackupInfo& backup)
{
  if (backup.begin_wal.empty() || backup.end_wal.empty())
    throw ValidationError("backup " + backup.backup_id +
                          " has no begin_wal/end_wal in its backup.info (status " + backup.status +
                          "): there is no WAL range to check");
  const std::uint64_t size = backup.xlog_segment_size;
  auto begin = pg::parse_wal_archive_name(backup.begin_wal);
  auto end = pg::parse_wal_archive_name(backup.end_wal);
  if (!begin || !end || begin->segno(size) > end->segno(size))
    throw ValidationError("backup " + backup.backup_id + ": begin_wal " + backup.begin_wal +
                          " comes after end_wal " + backup.end_wal);
  std::map<std::string, const BarmanWalFile*> on_disk;
  for (const BarmanWalFile& file : server.wal_files)
    on_disk.emplace(file.name, &file);
  std::map<std::string, const XlogDbEntry*> listed;
  for (const XlogDbEntry& entry : server.xlog_db)
    listed.emplace(entry.name, &entry);

  WalRangeResult result;
  // A backup taken on one timeline stays on it (end_wal carries the same one).
  const std::uint32_t timeline = begin->timeline;
  for (std::uint64_t segno = begin->segno(size); segno <= end->segno(size); ++segno) {
    ++result.segments_needed;
    std::string name = pg::wal_file_name(timeline, segno, size);
    std::string relative = wal_relative_key(name);
    auto file = on_disk.find(name);
    if (file == on_disk.end()) {
      result.findings.push_back({FindingKind::MissingWal, relative,
                                 relative + " is missing: backup " + backup.backup_id + " needs " +
                                     backup.begin_wal + ".." + backup.end_wal});
      continue;
    }
    if (server.has_xlog_db && !listed.contains(name)) {
      result.findings.push_back({FindingKind::UnlistedWal, relative,
                                 relative + " is needed by backup " + backup.backup_id +
                                     " but not listed in wals/xlog.db"});
    }
    check_segment(storage, *file->second, relative, {timeline, segno, size, backup.systemid},
                  result);
  }
  return result;
}

} // namespace lastgood::formats::barman
