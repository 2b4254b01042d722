#pragma once
// The catalog's answer to "which backup would we restore": the newest backup
// in a status (good, unverified, bad) that is present and matches a scope, by
// its own time; and the restore-level run that is a backup's evidence. pick,
// restore and drill all ask these two questions here, nowhere else.

#include "catalog/database.hpp"

#include <cstdint>
#include <optional>
#include <string>

namespace lastgood::catalog {

struct NewestBackupQuery
{
  std::string status;
  std::optional<std::string> database;
  std::optional<std::string> cluster; // system identifier: base backups of that cluster
  std::optional<std::string> before;  // RFC 3339: taken strictly before
  std::optional<std::string> source;  // a source name; "default" is the default source
};
// The backup ID of the newest matching backup not deleted and not missing.
std::optional<std::string> newest_backup_with_status(Database& db, const NewestBackupQuery& query);

// The run behind the backup's restore verdict (v_backup_status.last_restore_run).
std::optional<std::int64_t> last_restore_run_id(Database& db, std::int64_t backup_row_id);

} // namespace lastgood::catalog
