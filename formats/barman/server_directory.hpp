#pragma once
// One Barman server directory (barman_home/<server>): its backups
// (base/<id>/backup.info, or meta/<id>-backup.info in newer layouts), the WAL
// files under wals/ and the wals/xlog.db catalogue, cross-checked.

#include "formats/barman/backup_info.hpp"
#include "formats/barman/finding.hpp"
#include "formats/barman/xlog_db.hpp"
#include "pg/wal_archive_name.hpp"
#include "storage/storage.hpp"

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace lastgood::formats::barman {

struct BarmanWalFile
{
  std::string key;  // full storage key
  std::string name; // basename, e.g. 000000010000000000000002
  pg::WalArchiveName parsed;
  std::uint64_t size = 0; // stored size
};

struct BarmanServer
{
  std::string prefix;                    // the server directory's key prefix ("" or ".../")
  std::vector<BarmanBackupInfo> backups; // those whose backup.info parsed, by backup id
  std::vector<BarmanWalFile> wal_files;  // on disk, by name
  std::vector<XlogDbEntry> xlog_db;      // as listed, in file order
  bool has_xlog_db = false;
  std::vector<BarmanFinding> findings; // objects named by key relative to prefix
};

// Reads the server directory at prefix ("" = the storage root; else a key
// prefix such as "main/", a trailing '/' is added when missing). Damage
// becomes findings; throws StorageError only when storage itself fails, and
// ValidationError when prefix holds neither base/ nor wals/ (not a Barman server).
BarmanServer read_server_directory(storage::Storage& storage, std::string_view prefix);

// The key relative to the server directory where Barman keeps a WAL file:
// wals/<timeline+log, 16 hex>/<name>, or wals/<name> for .history files.
std::string wal_relative_key(std::string_view name);

} // namespace lastgood::formats::barman
