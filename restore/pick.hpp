#pragma once
// pick: the last known good backup. "Good" means its newest restore-level
// verification passed and no checksum or structure run failed since
// (catalog status 'good'); newest by the backup's own time.

#include "catalog/backup_queries.hpp"
#include "catalog/verification_runs.hpp"
#include "common/time.hpp"

#include <optional>
#include <string>
#include <vector>

namespace lastgood::restore {

struct PickRequest
{
  std::optional<std::string> database;
  std::optional<std::string> source; // the server the dump came from; "default": of no named source
  std::optional<std::string> cluster; // system identifier: its base backups
  std::optional<TimePoint> before;    // only backups taken before this time
};

struct PickResult
{
  std::optional<catalog::BackupRow> backup;   // nullopt: nothing qualifies
  std::optional<catalog::RunRecord> evidence; // the restore run that proved it
  std::vector<catalog::RowCountRecord> row_counts;
  // When nothing qualifies, what there is instead.
  std::optional<catalog::BackupRow> newest_unverified;
  std::optional<catalog::BackupRow> newest_bad;
};

// Throws UsageError when the database is dumped from several sources and
// the request does not say which: two servers' `shop` are never merged.
PickResult pick_last_good(catalog::Database& db, const PickRequest& request);

nlohmann::json to_json(const PickResult& result);

} // namespace lastgood::restore
