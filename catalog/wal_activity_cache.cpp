#include "catalog/wal_activity_cache.hpp"

#include "common/time.hpp"

namespace lastgood::catalog {

std::optional<pg::WalActivity> cached_wal_activity(Database& db, std::int64_t object_id,
                                                   const std::optional<std::string>& sha256)
{
  auto s = db.prepare(
      "SELECT activity FROM wal_activity WHERE object_id = ? AND sha256 IS NOT DISTINCT FROM ?");
  s.bind_all(object_id, sha256);
  if (!s.step()) return std::nullopt;
  try {
    return pg::wal_activity_from_json(nlohmann::json::parse(s.text(0)));
  } catch (const std::exception&) {
    return std::nullopt; // unreadable: read the segment again and overwrite it
  }
}

void store_wal_activity(Database& db, std::int64_t object_id,
                        const std::optional<std::string>& sha256, const pg::WalActivity& activity)
{
  db.prepare("INSERT INTO wal_activity (object_id, sha256, activity, computed_at)"
             " VALUES (?, ?, ?, ?) ON CONFLICT (object_id) DO UPDATE SET sha256 = excluded.sha256,"
             " activity = excluded.activity, computed_at = excluded.computed_at")
      .bind_all(object_id, sha256, pg::to_json(activity).dump(), format_rfc3339(now_seconds()))
      .run();
}

std::optional<std::uint64_t> min_usable_segno(Database& db, std::int64_t cluster_id,
                                              std::uint32_t timeline)
{
  auto s = db.prepare("SELECT min(ws.segno) FROM wal_segments ws WHERE ws.cluster_id = ? AND"
                      " ws.timeline = ? AND ws.partial = 0 AND ws.unavailable = 0 AND"
                      " ws.problem IS NULL");
  s.bind_all(cluster_id, timeline);
  if (!s.step()) return std::nullopt;
  auto v = s.opt_int64(0);
  if (!v) return std::nullopt;
  return static_cast<std::uint64_t>(*v);
}

} // namespace lastgood::catalog
