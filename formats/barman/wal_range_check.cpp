#include "formats/barman/wal_range_check.hpp"

#include "common/error.hpp"
#include "formats/barman/wal_compression.hpp"
#include "formats/barman/wal_segment_check.hpp"
#include "pg/backup_label.hpp"
#include "pg/lsn.hpp"
#include "pg/timeline_history.hpp"

#include <cstdio>
#include <map>
#include <optional>

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

// The text of a (possibly compressed) .backup or .history file, or a finding.
std::optional<std::string> read_text(storage::Storage& storage, const BarmanWalFile& file,
                                     const std::string& relative, WalRangeResult& result)
{
  WalCompression compression =
      detect_wal_compression(storage::read_head(storage, file.key, 64), /*wal_segment=*/false);
  if (compression == WalCompression::Unknown) {
    result.findings.push_back({FindingKind::UnknownCompression, relative,
                               relative + " is neither text nor gzip/bzip2; refusing to read it"});
    return std::nullopt;
  }
  try {
    auto stream = decompressed(storage.read(file.key), compression);
    std::string text;
    std::vector<std::byte> buffer(64 * 1024);
    while (std::size_t n = stream->read(buffer)) {
      text.append(reinterpret_cast<const char*>(buffer.data()), n);
      if (text.size() > (1 << 20)) throw ValidationError("larger than 1 MiB");
    }
    return text;
  } catch (const ValidationError& e) {
    result.findings.push_back({FindingKind::CorruptWal, relative,
                               relative + " (" + std::string(to_string(compression)) +
                                   ") does not decompress: " + e.what()});
    return std::nullopt;
  }
}

// PostgreSQL's backup history file for this backup (<begin_wal>.<offset>.backup),
// when archived, must agree with backup.info on where the backup started and ended.
void check_backup_history(storage::Storage& storage,
                          const std::map<std::string, const BarmanWalFile*>& on_disk,
                          const BarmanBackupInfo& backup, WalRangeResult& result)
{
  if (!backup.begin_offset || !backup.begin_xlog) return;
  char offset[9];
  std::snprintf(offset, sizeof offset, "%08llX",
                static_cast<unsigned long long>(*backup.begin_offset));
  std::string name = backup.begin_wal + "." + offset + ".backup";
  auto file = on_disk.find(name);
  if (file == on_disk.end()) return; // not every method archives one (rsync exclusive on old PG)
  std::string relative = wal_relative_key(name);
  auto text = read_text(storage, *file->second, relative, result);
  if (!text) return;
  try {
    pg::BackupLabel history = pg::parse_backup_label(*text);
    std::string problem;
    if (history.start_lsn != *backup.begin_xlog)
      problem = "START WAL LOCATION " + history.start_lsn.str() + ", backup.info begin_xlog " +
                backup.begin_xlog->str();
    // Barman's end_wal may name the segment before PostgreSQL's "(file ...)" when
    // the stop point is a segment boundary; what matters is that the range
    // reaches the last byte PostgreSQL needs.
    else if (auto end = pg::parse_wal_archive_name(backup.end_wal);
             history.stop_lsn && end &&
             pg::last_segment_for(*history.stop_lsn, backup.xlog_segment_size) >
                 end->segno(backup.xlog_segment_size))
      problem = "STOP WAL LOCATION " + history.stop_lsn->str() +
                " lies after backup.info end_wal " + backup.end_wal +
                ": the backup's WAL range is too short";
    if (!problem.empty())
      result.findings.push_back(
          {FindingKind::HistoryMismatch, relative,
           relative + " disagrees with backup " + backup.backup_id + ": " + problem});
  } catch (const ValidationError& e) {
    result.findings.push_back(
        {FindingKind::HistoryMismatch, relative, relative + " does not parse: " + e.what()});
  }
}

// A backup on timeline N > 1 needs N.history to recover (restore_command asks for it).
void check_timeline_history(storage::Storage& storage,
                            const std::map<std::string, const BarmanWalFile*>& on_disk,
                            std::uint32_t timeline, WalRangeResult& result)
{
  if (timeline <= 1) return;
  char name[20];
  std::snprintf(name, sizeof name, "%08X.history", timeline);
  std::string relative = wal_relative_key(name);
  auto file = on_disk.find(name);
  if (file == on_disk.end()) {
    result.findings.push_back(
        {FindingKind::MissingWal, relative,
         relative + " is missing: recovery on timeline " + std::to_string(timeline) + " needs it"});
    return;
  }
  auto text = read_text(storage, *file->second, relative, result);
  if (!text) return;
  try {
    (void)pg::parse_timeline_history(*text);
  } catch (const ValidationError& e) {
    result.findings.push_back(
        {FindingKind::HistoryMismatch, relative, relative + " does not parse: " + e.what()});
  }
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
  check_backup_history(storage, on_disk, backup, result);
  check_timeline_history(storage, on_disk, timeline, result);
  return result;
}

} // namespace lastgood::formats::barman
