#pragma once
// A base backup's own WAL (pg_basebackup -X fetch / -X stream) beside the
// archive: recovery reads a segment from the restored pg_wal/ when
// restore_command does not have it. The carried segments count only from the
// backup's start to its consistency point, and the segment holding the stop
// LSN only up to that LSN: a streamed copy ends there, a fetched one holds
// whatever the live server had written, so replay beyond it needs the
// archive's copy.

#include "catalog/database.hpp"
#include "catalog/usable_segments.hpp"
#include "catalog/wal_chain.hpp"

#include <cstdint>
#include <functional>
#include <optional>
#include <set>
#include <string>
#include <utility>
#include <vector>

namespace lastgood::catalog {

// One segment a backup's present objects carry, read for many backups at once.
struct CarriedSegment
{
  std::uint32_t timeline = 0;
  std::uint64_t segno = 0;
  std::uint64_t segment_size = 0;
};

class BackupOwnWal
{
public:
  // backup: backups.id; only segments whose page header names this cluster and
  // whose holding object is present count.
  BackupOwnWal(Database& db, std::int64_t backup, std::int64_t cluster_id,
               std::uint64_t segment_size, std::uint64_t start_lsn, std::uint64_t stop_lsn);
  // The same from segments already read (carried_segments_of_backups): those of
  // another segment size or outside start..consistency are left out here.
  BackupOwnWal(const std::vector<CarriedSegment>& carried, std::uint64_t segment_size,
               std::uint64_t start_lsn, std::uint64_t stop_lsn);

  bool empty() const { return m_segments.empty(); }
  // The backup carries (timeline, segno) and it is usable for replay up to
  // the consistency point (through its end when `whole` is asked for).
  bool carries(std::uint32_t timeline, std::uint64_t segno, bool whole) const;
  // Whether the segment holding the stop LSN is carried but ends at the stop LSN.
  bool carries_partial_tail(std::uint32_t timeline) const;
  std::uint64_t consistent_segno() const { return m_consistent; }
  // The first segno in [first, last] neither archived (usable) nor carried;
  // `tail_ok`: the partial stop segment is enough (replay stops at consistency).
  std::optional<std::uint64_t> first_missing(WalChain& chain, std::uint32_t timeline,
                                             std::uint64_t first, std::uint64_t last,
                                             bool tail_ok) const;
  // Carried segments in [first, last] the archive lacks: recovery reads them
  // from the restored pg_wal/ (names, in order).
  std::vector<std::string> read_from_backup(WalChain& chain, std::uint32_t timeline,
                                            std::uint64_t first, std::uint64_t last) const;
  // The same two against the cluster's usable segments held in memory.
  std::optional<std::uint64_t> first_missing(const UsableSegments& usable, std::uint32_t timeline,
                                             std::uint64_t first, std::uint64_t last,
                                             bool tail_ok) const;
  std::vector<std::string> read_from_backup(const UsableSegments& usable, std::uint32_t timeline,
                                            std::uint64_t first, std::uint64_t last) const;

private:
  // Carried segments of the timeline in [first, last] that are not archived.
  std::vector<std::string> carried_unless(std::uint32_t timeline, std::uint64_t first,
                                          std::uint64_t last,
                                          const std::function<bool(std::uint64_t)>& archived) const;

  std::set<std::pair<std::uint32_t, std::uint64_t>> m_segments; // within start..consistency
  std::uint64_t m_segment_size, m_stop_lsn, m_consistent;
};

} // namespace lastgood::catalog
