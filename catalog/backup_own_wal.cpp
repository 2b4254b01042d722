#include "catalog/backup_own_wal.hpp"

#include "pg/lsn.hpp"

namespace lastgood::catalog {

BackupOwnWal::BackupOwnWal(Database& db, std::int64_t backup, std::int64_t cluster_id,
                           std::uint64_t segment_size, std::uint64_t start_lsn,
                           std::uint64_t stop_lsn)
    : m_segment_size(segment_size), m_stop_lsn(stop_lsn),
      m_consistent(pg::last_segment_for(pg::Lsn{stop_lsn}, segment_size))
{
  auto s = db.prepare(
      "SELECT DISTINCT cw.timeline, cw.segno FROM backup_objects bo"
      " JOIN backup_carried_wal cw ON cw.object_id = bo.object_id"
      " JOIN objects o ON o.id = bo.object_id"
      " WHERE bo.backup_id = ?1 AND o.missing_since IS NULL AND o.deleted_at IS NULL"
      " AND cw.problem IS NULL AND cw.segment_size = ?2 AND cw.segno BETWEEN ?3 AND ?4"
      " AND cw.system_identifier = (SELECT system_identifier FROM clusters WHERE id = ?5)");
  s.bind_all(backup, segment_size, pg::segment_of(pg::Lsn{start_lsn}, segment_size), m_consistent,
             cluster_id);
  while (s.step())
    m_segments.emplace(static_cast<std::uint32_t>(s.int64(0)),
                       static_cast<std::uint64_t>(s.int64(1)));
}

BackupOwnWal::BackupOwnWal(const std::vector<CarriedSegment>& carried, std::uint64_t segment_size,
                           std::uint64_t start_lsn, std::uint64_t stop_lsn)
    : m_segment_size(segment_size), m_stop_lsn(stop_lsn),
      m_consistent(pg::last_segment_for(pg::Lsn{stop_lsn}, segment_size))
{
  auto first = pg::segment_of(pg::Lsn{start_lsn}, segment_size);
  for (const auto& c : carried)
    if (c.segment_size == segment_size && c.segno >= first && c.segno <= m_consistent)
      m_segments.emplace(c.timeline, c.segno);
}

bool BackupOwnWal::carries(std::uint32_t timeline, std::uint64_t segno, bool whole) const
{
  if (!m_segments.count({timeline, segno})) return false;
  return !whole || segno < m_consistent ||
         pg::segment_start(segno + 1, m_segment_size).value == m_stop_lsn;
}

bool BackupOwnWal::carries_partial_tail(std::uint32_t timeline) const
{
  return carries(timeline, m_consistent, false) && !carries(timeline, m_consistent, true);
}

namespace {

// The first segno in [first, last] neither archived nor carried, whichever way
// the archive is asked (archive_first_missing(at, last)).
template <typename ArchiveFirstMissing, typename Carried>
std::optional<std::uint64_t> first_missing_of(ArchiveFirstMissing archive_first_missing,
                                              Carried carried, std::uint64_t first,
                                              std::uint64_t last)
{
  std::uint64_t at = first;
  while (at <= last) {
    if (carried(at)) {
      ++at;
      continue;
    }
    auto missing = archive_first_missing(at, last);
    if (!missing) return std::nullopt;
    if (!carried(*missing)) return missing;
    at = *missing + 1;
  }
  return std::nullopt;
}

} // namespace

std::optional<std::uint64_t> BackupOwnWal::first_missing(WalChain& chain, std::uint32_t timeline,
                                                         std::uint64_t first, std::uint64_t last,
                                                         bool tail_ok) const
{
  return first_missing_of(
      [&](std::uint64_t at, std::uint64_t to) { return chain.first_missing(timeline, at, to); },
      [&](std::uint64_t segno) { return carries(timeline, segno, !tail_ok); }, first, last);
}

std::optional<std::uint64_t> BackupOwnWal::first_missing(const UsableSegments& usable,
                                                         std::uint32_t timeline,
                                                         std::uint64_t first, std::uint64_t last,
                                                         bool tail_ok) const
{
  return first_missing_of(
      [&](std::uint64_t at, std::uint64_t to) { return usable.first_missing(timeline, at, to); },
      [&](std::uint64_t segno) { return carries(timeline, segno, !tail_ok); }, first, last);
}

std::vector<std::string>
BackupOwnWal::carried_unless(std::uint32_t timeline, std::uint64_t first, std::uint64_t last,
                             const std::function<bool(std::uint64_t)>& archived) const
{
  std::vector<std::string> names;
  for (const auto& [tli, segno] : m_segments)
    if (tli == timeline && segno >= first && segno <= last && !archived(segno))
      names.push_back(pg::wal_file_name(tli, segno, m_segment_size));
  return names;
}

std::vector<std::string> BackupOwnWal::read_from_backup(WalChain& chain, std::uint32_t timeline,
                                                        std::uint64_t first,
                                                        std::uint64_t last) const
{
  return carried_unless(timeline, first, last, [&](std::uint64_t segno) {
    return chain.segment(timeline, segno).has_value();
  });
}

std::vector<std::string> BackupOwnWal::read_from_backup(const UsableSegments& usable,
                                                        std::uint32_t timeline, std::uint64_t first,
                                                        std::uint64_t last) const
{
  return carried_unless(timeline, first, last,
                        [&](std::uint64_t segno) { return usable.has(timeline, segno); });
}

} // namespace lastgood::catalog
