#pragma once
// Problems found in a Barman server directory: data, not exceptions (an
// exception means the job could not be done at all, e.g. storage unreachable).

#include <string>
#include <string_view>

namespace lastgood::formats::barman {

enum class FindingKind {
  MalformedBackupInfo, // backup.info does not parse
  MalformedXlogDb,     // a wals/xlog.db line does not parse
  MissingWal,          // listed in xlog.db or needed by a backup, not on disk
  UnlistedWal,         // on disk, not in xlog.db
  WalSizeMismatch,     // size on disk differs from xlog.db
  MisplacedWal,        // not in the hash directory its name belongs in
  UnknownCompression,  // magic bytes of no compression Barman's reader here knows
  CorruptWal,          // does not decompress, or not one whole segment
  BadWalHeader,        // page headers do not belong to this segment/cluster
  MissingBackupFile,   // data.tar/base.tar.gz/data/ missing, or a manifest file missing
  DamagedArchive,      // a backup tar does not read to its end
  ManifestMismatch,    // size or checksum differs from backup_manifest
  UnsafePath,          // a tar member escaping the target directory
  HistoryMismatch,     // a .backup/.history file unreadable or disagreeing with backup.info
};

std::string_view to_string(FindingKind kind); // "missing_wal", ...

struct BarmanFinding
{
  FindingKind kind = FindingKind::MalformedBackupInfo;
  std::string object;  // key inside the server directory (or file of the backup)
  std::string message; // what is wrong, in a sentence
};

} // namespace lastgood::formats::barman
