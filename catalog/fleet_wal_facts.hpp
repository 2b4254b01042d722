#pragma once
// The WAL archive facts wal_summary needs, read for every cluster at once (or
// one cluster): a handful of statements per summary instead of several per
// cluster and per base backup (issue 15: the fleet report on PostgreSQL was
// dominated by those round trips). "Present" is wal_segments.unavailable = 0,
// which the triggers of migration 0005 keep equal to the object being neither
// missing nor deleted.

#include "catalog/backup_own_wal.hpp"
#include "catalog/database.hpp"

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

namespace lastgood::catalog {

struct WalClusterRow
{
  std::int64_t id = 0;
  std::optional<std::int64_t> control_segment_size; // clusters.wal_segment_size (pg_control)
  std::optional<std::int64_t> last_segment_size; // of its present segment last by timeline, segno
};
// Clusters by system identifier.
std::map<std::string, WalClusterRow> wal_clusters(Database& db,
                                                  std::optional<std::int64_t> cluster_id);

// Usable segments (whole, present, header matches name) per cluster and timeline.
struct UsableRun
{
  std::int64_t cluster_id = 0;
  std::uint32_t timeline = 0;
  std::uint64_t rows = 0, distinct_segnos = 0, first = 0, last = 0;
  bool contiguous() const { return distinct_segnos == last - first + 1; }
};
std::vector<UsableRun> usable_wal_runs(Database& db, std::optional<std::int64_t> cluster_id);
// The distinct usable segnos of one timeline, in order (for one with holes).
std::vector<std::uint64_t> usable_segnos(Database& db, std::int64_t cluster_id,
                                         std::uint32_t timeline);

// Present segments that are .partial or have a problem, by cluster, timeline, segno.
struct UnusableSegmentRow
{
  std::int64_t cluster_id = 0;
  std::uint32_t timeline = 0;
  std::uint64_t segno = 0;
  bool partial = false;
  std::optional<std::string> problem;
  std::string key;
};
std::vector<UnusableSegmentRow> present_unusable_segments(Database& db,
                                                          std::optional<std::int64_t> cluster_id);

// Entries of present timeline history files (distinct).
struct HistoryRow
{
  std::int64_t cluster_id = 0;
  std::uint32_t timeline = 0, parent_timeline = 0;
  std::uint64_t switch_lsn = 0;
};
std::vector<HistoryRow> timeline_history_rows(Database& db, std::optional<std::int64_t> cluster_id);

// Physical backups not deleted with both LSNs, by cluster, stop LSN, row id.
struct WalBackupRow
{
  std::int64_t row_id = 0, cluster_id = 0;
  std::string backup_id, status;
  std::optional<std::int64_t> timeline;
  std::uint64_t start_lsn = 0, stop_lsn = 0;
  std::optional<std::string> label, backup_type;
};
std::vector<WalBackupRow> physical_backups_with_lsns(Database& db,
                                                     std::optional<std::int64_t> cluster_id);
// What each such backup's present objects carry, with a header of its own
// cluster and no problem, by backups.id (BackupOwnWal narrows it further).
std::map<std::int64_t, std::vector<CarriedSegment>>
carried_segments_of_backups(Database& db, std::optional<std::int64_t> cluster_id);

// Present segments per repository, directory (key up to its last '/') and
// cluster: one pass over the archive, a row per directory and cluster.
struct WalDirectoryCount
{
  std::int64_t repository_id = 0;
  std::string directory;
  std::int64_t cluster_id = 0;
  std::int64_t segments = 0;
};
std::vector<WalDirectoryCount> wal_directory_counts(Database& db);
// One cluster's present segments in one directory: name, repository name, key.
struct DirectorySegmentRow
{
  std::string name, repository, key;
};
std::vector<DirectorySegmentRow> cluster_segments_in_directory(Database& db,
                                                               std::int64_t repository_id,
                                                               const std::string& directory,
                                                               std::int64_t cluster_id);

} // namespace lastgood::catalog
