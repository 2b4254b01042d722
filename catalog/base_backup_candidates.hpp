#pragma once
// The base backups PITR planning may start from, straight off index
// backups_by_cluster: physical, not deleted, not missing, not bad, with both
// LSNs, in a repository still registered. restore/pitr_plan chooses among them.

#include "catalog/database.hpp"

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace lastgood::catalog {

struct BaseBackupRow
{
  std::int64_t id = 0;
  std::string backup_id;
  std::int64_t repository_id = 0;
  std::string repository, root_key, format, status;
  std::optional<std::int64_t> timeline, stop_timeline;
  std::int64_t start_lsn = 0, stop_lsn = 0;
  std::optional<std::string> start_time, stop_time;
};

struct ClusterRow
{
  std::int64_t id = 0;
  std::string system_identifier;
  std::optional<std::int64_t> wal_segment_size;
};
// Clusters (the one named, or all) that have base backups not deleted, by id.
std::vector<ClusterRow>
clusters_with_base_backups(Database& db, const std::optional<std::string>& system_identifier);
// Clusters (the one named, or all) that have archived WAL, by id.
std::vector<ClusterRow> clusters_with_wal(Database& db,
                                          const std::optional<std::string>& system_identifier);

struct BackupIdMatch
{
  std::int64_t id = 0;
  std::string kind, backup_id;
};
// Backups whose ID is `wanted` or starts with it, the exact one first; at most two.
std::vector<BackupIdMatch> backups_matching_id(Database& db, const std::string& wanted);

// Candidates newest consistency point first (stop_lsn, then id, descending),
// read one at a time: planning usually stops at the first.
class BaseBackupCandidates
{
public:
  // only_backup: one backups.id; stopped_by: stop_time at or before (RFC 3339,
  // and among the 100 latest by time); stop_lsn_at_most: consistent at or before.
  BaseBackupCandidates(Database& db, std::int64_t cluster_id,
                       const std::optional<std::int64_t>& only_backup,
                       const std::optional<std::string>& stopped_by,
                       const std::optional<std::uint64_t>& stop_lsn_at_most);
  std::optional<BaseBackupRow> next();

private:
  Statement m_statement;
};

// Up to 20 candidates starting and stopping on `timeline`, oldest (or newest) consistency first.
std::vector<BaseBackupRow> base_backups_on_timeline(Database& db, std::int64_t cluster_id,
                                                    std::int64_t timeline, bool newest_first);
// The candidate with the oldest consistency point.
std::optional<BaseBackupRow> oldest_base_backup(Database& db, std::int64_t cluster_id,
                                                const std::optional<std::int64_t>& only_backup);

// The start LSN of the cluster's first base backup that started after `after` (RFC 3339).
std::optional<std::int64_t> first_base_backup_start_after(Database& db, std::int64_t cluster_id,
                                                          const std::string& after);

} // namespace lastgood::catalog
