#include "formats/barman/finding.hpp"

namespace lastgood::formats::barman {

std::string_view to_string(FindingKind kind)
{
  switch (kind) {
  case FindingKind::MalformedBackupInfo:
    return "malformed_backup_info";
  case FindingKind::MalformedXlogDb:
    return "malformed_xlog_db";
  case FindingKind::MissingWal:
    return "missing_wal";
  case FindingKind::UnlistedWal:
    return "unlisted_wal";
  case FindingKind::WalSizeMismatch:
    return "wal_size_mismatch";
  case FindingKind::MisplacedWal:
    return "misplaced_wal";
  case FindingKind::UnknownCompression:
    return "unknown_compression";
  case FindingKind::CorruptWal:
    return "corrupt_wal";
  case FindingKind::BadWalHeader:
    return "bad_wal_header";
  case FindingKind::MissingBackupFile:
    return "missing_backup_file";
  case FindingKind::DamagedArchive:
    return "damaged_archive";
  case FindingKind::ManifestMismatch:
    return "manifest_mismatch";
  case FindingKind::UnsafePath:
    return "unsafe_path";
  case FindingKind::HistoryMismatch:
    return "history_mismatch";
  }
  return "unknown";
}

} // namespace lastgood::formats::barman
