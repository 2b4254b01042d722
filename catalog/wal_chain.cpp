#include "catalog/wal_chain.hpp"

#include <cstdio>

namespace lastgood::catalog {

namespace {

// Must match the WHERE of index wal_segments_usable so SQLite uses it.
constexpr const char* kUsable = " ws.partial = 0 AND ws.unavailable = 0 AND ws.problem IS NULL";

constexpr const char* kFileColumns = "SELECT ws.object_id, o.repository_id, r.name, o.key, "
                                     "ws.name, ws.timeline, ws.segno, ws.compression,"
                                     " o.size, coalesce(o.mtime_ns, 0), o.sha256";

ArchivedFile read_file(Statement& s)
{
  ArchivedFile f;
  f.object_id = s.int64(0);
  f.repository_id = s.int64(1);
  f.repository = s.text(2);
  f.key = s.text(3);
  f.name = s.text(4);
  f.timeline = static_cast<std::uint32_t>(s.int64(5));
  f.segno = static_cast<std::uint64_t>(s.int64(6));
  f.compression = s.text(7);
  f.size = static_cast<std::uint64_t>(s.int64(8));
  f.mtime_ns = s.int64(9);
  f.sha256 = s.opt_text(10);
  return f;
}

} // namespace

WalChain::WalChain(Database& db, std::int64_t cluster_id)
    : m_db(db), m_cluster_id(cluster_id),
      m_count(db.prepare(
          std::string(
              "SELECT count(DISTINCT ws.segno) FROM wal_segments ws"
              " WHERE ws.cluster_id = ?1 AND ws.timeline = ?2 AND ws.segno BETWEEN ?3 AND ?4 AND") +
          kUsable))
{
}

std::uint64_t WalChain::count_usable(std::uint32_t timeline, std::uint64_t first,
                                     std::uint64_t last)
{
  if (last < first) return 0;
  m_count.reset();
  m_count.bind_all(m_cluster_id, timeline, first, last);
  std::uint64_t n = m_count.step() ? static_cast<std::uint64_t>(m_count.int64(0)) : 0;
  m_count.reset();
  return n;
}

std::optional<std::uint64_t> WalChain::first_missing(std::uint32_t timeline, std::uint64_t first,
                                                     std::uint64_t last)
{
  // Gallop forward (every segno below lo is present), then bisect the window
  // holding the gap: cost grows with the distance to the gap, not the range.
  std::uint64_t lo = first, span = 1;
  while (lo <= last) {
    std::uint64_t hi = std::min(last, lo + span - 1);
    if (count_usable(timeline, lo, hi) == hi - lo + 1) {
      if (hi == last) return std::nullopt;
      lo = hi + 1;
      span *= 2;
      continue;
    }
    while (lo < hi) {
      std::uint64_t mid = lo + (hi - lo) / 2;
      if (count_usable(timeline, lo, mid) == mid - lo + 1)
        lo = mid + 1;
      else
        hi = mid;
    }
    return lo;
  }
  return std::nullopt;
}

std::optional<std::uint64_t> WalChain::run_end(std::uint32_t timeline, std::uint64_t first,
                                               std::uint64_t limit)
{
  if (limit < first) return std::nullopt;
  auto missing = first_missing(timeline, first, limit);
  if (!missing) return limit;
  if (*missing == first) return std::nullopt;
  return *missing - 1;
}

std::optional<std::uint64_t> WalChain::max_segno(std::uint32_t timeline)
{
  auto s = m_db.prepare(
      std::string("SELECT max(ws.segno) FROM wal_segments ws WHERE ws.cluster_id = ? AND"
                  " ws.timeline = ? AND") +
      kUsable);
  s.bind_all(m_cluster_id, timeline);
  if (!s.step() || s.is_null(0)) return std::nullopt;
  return static_cast<std::uint64_t>(s.int64(0));
}

std::optional<ArchivedFile> WalChain::segment(std::uint32_t timeline, std::uint64_t segno)
{
  auto s = m_db.prepare(std::string(kFileColumns) +
                        " FROM wal_segments ws JOIN objects o ON o.id = ws.object_id"
                        " JOIN repositories r ON r.id = o.repository_id"
                        " WHERE ws.cluster_id = ? AND ws.timeline = ? AND ws.segno = ? AND" +
                        kUsable + " ORDER BY (ws.compression = '') DESC, o.id DESC LIMIT 1");
  s.bind_all(m_cluster_id, timeline, segno);
  if (!s.step()) return std::nullopt;
  return read_file(s);
}

std::optional<std::uint64_t> WalChain::first_archived_after(std::uint32_t timeline,
                                                            std::uint64_t first, std::uint64_t last,
                                                            std::int64_t mtime_ns)
{
  // Archive times grow with segno (segments are archived in order), so bisect.
  auto mtime = m_db.prepare(
      std::string("SELECT max(coalesce(o.mtime_ns, 0)) FROM wal_segments ws"
                  " JOIN objects o ON o.id = ws.object_id"
                  " WHERE ws.cluster_id = ? AND ws.timeline = ? AND ws.segno = ? AND") +
      kUsable);
  auto after = [&](std::uint64_t segno) {
    mtime.reset();
    mtime.bind_all(m_cluster_id, timeline, segno);
    bool later = mtime.step() && !mtime.is_null(0) && mtime.int64(0) > mtime_ns;
    mtime.reset();
    return later;
  };
  if (last < first || !after(last)) return std::nullopt;
  std::uint64_t lo = first, hi = last;
  while (lo < hi) {
    std::uint64_t mid = lo + (hi - lo) / 2;
    if (after(mid))
      hi = mid;
    else
      lo = mid + 1;
  }
  return lo;
}

const std::map<std::uint32_t, TimelineHistoryFile>& WalChain::histories()
{
  if (m_histories) return *m_histories;
  m_histories.emplace();
  auto s = m_db.prepare(
      "SELECT o.id, o.repository_id, r.name, o.key, th.timeline, o.size, coalesce(o.mtime_ns, 0),"
      " o.sha256, th.parent_timeline, th.switch_lsn"
      " FROM timeline_history th JOIN objects o ON o.id = th.object_id"
      " JOIN repositories r ON r.id = o.repository_id"
      " WHERE th.cluster_id = ? AND o.missing_since IS NULL AND o.deleted_at IS NULL"
      " ORDER BY th.timeline, o.id DESC, th.parent_timeline NULLS FIRST");
  s.bind(1, m_cluster_id);
  while (s.step()) {
    auto tli = static_cast<std::uint32_t>(s.int64(4));
    auto& h = (*m_histories)[tli];
    if (h.file.object_id == 0) {
      h.file.object_id = s.int64(0);
      h.file.repository_id = s.int64(1);
      h.file.repository = s.text(2);
      h.file.key = s.text(3);
      h.file.timeline = tli;
      char name[32];
      std::snprintf(name, sizeof name, "%08X.history", tli);
      h.file.name = name;
      h.file.size = static_cast<std::uint64_t>(s.int64(5));
      h.file.mtime_ns = s.int64(6);
      h.file.sha256 = s.opt_text(7);
    }
    if (h.file.object_id != s.int64(0)) continue; // another copy of the same history file
    h.entries.push_back(
        {static_cast<std::uint32_t>(s.int64(8)), static_cast<std::uint64_t>(s.int64(9))});
  }
  return *m_histories;
}

std::optional<std::string> WalChain::foreign_cluster_of(std::uint32_t timeline, std::uint64_t segno)
{
  auto s = m_db.prepare(
      "SELECT coalesce(c.system_identifier, 'unknown (unreadable page header)')"
      " FROM wal_segments ws JOIN objects o ON o.id = ws.object_id"
      " LEFT JOIN clusters c ON c.id = ws.cluster_id"
      " WHERE (ws.cluster_id IN (SELECT id FROM clusters WHERE id <> ?1) OR ws.cluster_id IS NULL)"
      " AND ws.timeline = ?2 AND ws.segno = ?3 AND ws.partial = 0"
      " AND o.missing_since IS NULL AND o.deleted_at IS NULL LIMIT 1");
  s.bind_all(m_cluster_id, timeline, segno);
  if (!s.step()) return std::nullopt;
  return s.text(0);
}

std::optional<std::string> WalChain::problem_of(std::uint32_t timeline, std::uint64_t segno)
{
  auto s = m_db.prepare(
      "SELECT ws.problem, ws.partial FROM wal_segments ws"
      " WHERE ws.cluster_id = ? AND ws.timeline = ? AND ws.segno = ? AND ws.unavailable = 0"
      " ORDER BY ws.partial");
  s.bind_all(m_cluster_id, timeline, segno);
  while (s.step()) {
    if (!s.is_null(0)) return s.text(0);
    if (s.int64(1) != 0)
      return std::string(
          "only a .partial copy is archived, and recovery never reads .partial files");
  }
  return std::nullopt;
}

} // namespace lastgood::catalog
