#pragma once
// backup/<stanza>/backup.info: the stanza's database history and its current
// backups (src/info/infoBackup.c, infoPg.c).

#include "formats/pgbackrest/info_text.hpp"

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace lastgood::formats::pgbackrest {

enum class BackupType { full, diff, incr };
std::string_view to_string(BackupType type);
// "full"/"diff"/"incr"; nullopt for anything else.
std::optional<BackupType> parse_backup_type(std::string_view text);

// One database (cluster) the stanza has backed up: [db:history] N=...
struct DbHistoryEntry
{
  unsigned id = 0;
  std::uint64_t system_id = 0;
  std::string version; // "15"
  std::uint64_t catalog_version = 0;
  std::uint64_t control_version = 0;
};

struct BackupInfoEntry
{
  std::string label;
  BackupType type = BackupType::full;
  std::optional<std::string> prior;                     // the backup a diff/incr builds on
  std::vector<std::string> references;                  // every backup whose files it uses
  std::string archive_start, archive_stop;              // WAL segment names
  std::string lsn_start, lsn_stop;                      // "0/2000028"
  std::int64_t timestamp_start = 0, timestamp_stop = 0; // seconds since the epoch
  std::uint64_t size = 0, size_delta = 0, repo_size = 0, repo_size_delta = 0;
  unsigned db_id = 0;
  std::string backrest_version;
  bool error = false; // pgBackRest found page-checksum errors while backing up
  bool compress = false;
  bool online = true;
  bool checksum_page = false;
};

struct BackupInfo
{
  std::string backrest_version;
  DbHistoryEntry current;                 // [db]
  std::vector<DbHistoryEntry> history;    // [db:history], by id
  std::vector<BackupInfoEntry> backups;   // [backup:current], by label
  std::optional<std::string> cipher_pass; // passphrase of the manifests: a secret

  const BackupInfoEntry* find(std::string_view label) const;
};

// Throws ValidationError naming `what` (see parse_info_text).
BackupInfo parse_backup_info(const InfoText& text, std::string_view what);

} // namespace lastgood::formats::pgbackrest
