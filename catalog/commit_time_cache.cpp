#include "catalog/commit_time_cache.hpp"

#include "common/time.hpp"

namespace lastgood::catalog {

std::optional<pg::CommitTimes> cached_commit_times(Database& db, std::int64_t object_id,
                                                   const std::optional<std::string>& sha256)
{
  auto s = db.prepare(
      "SELECT first_commit_time, latest_commit_time, first_commit_lsn, latest_commit_lsn, commits"
      " FROM wal_commit_times WHERE object_id = ? AND sha256 IS NOT DISTINCT FROM ?");
  s.bind_all(object_id, sha256);
  if (!s.step()) return std::nullopt;
  pg::CommitTimes t;
  t.first_time = s.opt_text(0);
  t.latest_time = s.opt_text(1);
  if (auto v = s.opt_int64(2)) t.first_lsn = static_cast<std::uint64_t>(*v);
  if (auto v = s.opt_int64(3)) t.latest_lsn = static_cast<std::uint64_t>(*v);
  t.commits = static_cast<std::uint64_t>(s.int64(4));
  return t;
}

void store_commit_times(Database& db, std::int64_t object_id,
                        const std::optional<std::string>& sha256, const pg::CommitTimes& t)
{
  std::optional<std::int64_t> first_lsn, latest_lsn;
  if (t.first_lsn) first_lsn = static_cast<std::int64_t>(*t.first_lsn);
  if (t.latest_lsn) latest_lsn = static_cast<std::int64_t>(*t.latest_lsn);
  db.prepare("INSERT INTO wal_commit_times (object_id, sha256, first_commit_time,"
             " latest_commit_time, first_commit_lsn, latest_commit_lsn, commits, computed_at)"
             " VALUES (?, ?, ?, ?, ?, ?, ?, ?)"
             " ON CONFLICT (object_id) DO UPDATE SET sha256 = excluded.sha256,"
             " first_commit_time = excluded.first_commit_time,"
             " latest_commit_time = excluded.latest_commit_time,"
             " first_commit_lsn = excluded.first_commit_lsn,"
             " latest_commit_lsn = excluded.latest_commit_lsn, commits = excluded.commits,"
             " computed_at = excluded.computed_at")
      .bind_all(object_id, sha256, t.first_time, t.latest_time, first_lsn, latest_lsn, t.commits,
                format_rfc3339(now_seconds()))
      .run();
}

} // namespace lastgood::catalog
