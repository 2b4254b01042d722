#pragma once
// The catalog's side of retention: the backups and archived WAL segments it
// decides about, and marking what it deleted. compliance/retention_* decides.

#include "catalog/database.hpp"

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace lastgood::catalog {

struct RetentionBackupRow
{
  std::int64_t row_id = 0;
  std::string backup_id, repository, kind, status, root_key;
  bool repository_active = true;
  std::optional<std::string> database, system_identifier, missing_since, source;
  std::optional<std::string> time; // stop time, else start time
  std::optional<std::int64_t> start_lsn, stop_lsn, timeline, stop_timeline;
  std::uint64_t size_bytes = 0;
};
// Every backup not deleted, by row id.
std::vector<RetentionBackupRow> retention_backups(Database& db);

struct ObjectRetainUntil
{
  std::int64_t backup_row_id = 0;
  std::string key, retain_until; // retain_until as recorded (normally RFC 3339)
};
// Storage locks recorded on objects of backups, objects not deleted.
std::vector<ObjectRetainUntil> backup_object_locks(Database& db);

struct RetentionWalRow
{
  std::int64_t object_id = 0;
  std::string repository, key, name;
  bool repository_active = true;
  std::optional<std::string> system_identifier, retain_until;
  std::int64_t timeline = 0, segno = 0, segment_size = 0, size = 0;
  bool partial = false;
};
// Archived WAL segments (and .partial) not deleted, not missing and not part of a base backup.
std::vector<RetentionWalRow> retention_wal_segments(Database& db);

struct LiveObject
{
  std::int64_t id = 0;
  std::string key;
  std::uint64_t size = 0;
};
// The backup's objects not yet deleted, by key.
std::vector<LiveObject> live_backup_objects(Database& db, std::int64_t backup_row_id);
void mark_object_deleted(Database& db, std::int64_t object_id, const std::string& at);
void mark_backup_deleted(Database& db, std::int64_t backup_row_id, const std::string& at);

} // namespace lastgood::catalog
