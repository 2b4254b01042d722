#pragma once
// Reading backups back out of the catalog, for `backups` and `show`.

#include "catalog/database.hpp"
#include "common/fast_hash.hpp"

#include <cstdint>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

namespace lastgood::catalog {

struct BackupRow
{
  std::int64_t id = 0;
  std::string backup_id;
  std::string repository;
  std::string root_key;
  std::string kind, format, status;
  std::optional<std::string> source; // the server it came from (migration 0009); nullopt: default
  std::optional<std::string> system_identifier, database, label, start_time, stop_time,
      server_version, tool_version, compression, problem, missing_since;
  std::optional<std::int64_t> start_lsn, stop_lsn, timeline, stop_timeline;
  std::uint64_t size_bytes = 0;
  std::int64_t object_count = 0, objects_missing = 0;
  // Outcome of the newest finished verification run (pass | fail | error);
  // 'error' is shown beside the status, which it never changes.
  std::optional<std::string> last_check;
  // pgBackRest's type (full | diff | incr), the backup it builds on and every
  // backup whose files it uses, by label; nullopt / empty for other backups.
  std::optional<std::string> backup_type, prior_label;
  std::vector<std::string> references;
};

// "good", or "good (last check: error)" when the newest run could not check.
std::string status_text(const BackupRow& row);

struct BackupFilter
{
  std::optional<std::string> database;
  std::optional<std::string> cluster; // system identifier
  std::optional<std::string> source;  // a source name; "default" is the default source
};

std::vector<BackupRow> list_backups(Database& db, const BackupFilter& filter);
// The sources holding dumps of `database` (present or missing, not deleted),
// by name; nullopt is the default source. More than one: the name alone is
// ambiguous, and pick/restore/drill must be told which (--source).
std::vector<std::optional<std::string>> sources_of_database(Database& db,
                                                            const std::string& database);
// "default, prod-eu": for messages.
std::string list_sources(const std::vector<std::optional<std::string>>& sources);
// By full ID, or by a prefix that names exactly one backup. Throws UsageError
// when the prefix is ambiguous.
std::optional<BackupRow> find_backup(Database& db, const std::string& id_or_prefix);

struct BackupObjectRow
{
  std::string key, role, kind;
  std::uint64_t size = 0;
  std::optional<std::string> sha256, last_hashed, missing_since, problem;
  FastDigest fast;                           // empty: never read since fast hashes existed
  std::optional<std::string> sha256_checked; // RFC 3339: SHA-256 last computed from the bytes
};
std::vector<BackupObjectRow> backup_objects(Database& db, std::int64_t backup_row_id);

nlohmann::json to_json(const BackupRow& row);
nlohmann::json to_json(const BackupObjectRow& row);

} // namespace lastgood::catalog
