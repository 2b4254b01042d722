#include "catalog/cluster_wal_facts.hpp"

namespace lastgood::catalog {

std::optional<std::uint64_t> cluster_wal_segment_size(Database& db,
                                                      const std::string& system_identifier)
{
  auto s = db.prepare(
      "SELECT coalesce(wal_segment_size, 16777216) FROM clusters WHERE system_identifier = ?");
  s.bind(1, system_identifier);
  if (!s.step()) return std::nullopt;
  return static_cast<std::uint64_t>(s.int64(0));
}

bool whole_segment_archived(Database& db, const std::string& system_identifier,
                            std::uint32_t timeline, std::uint64_t segno)
{
  auto s = db.prepare(
      "SELECT 1 FROM wal_segments ws JOIN clusters c ON c.id = ws.cluster_id"
      " JOIN objects o ON o.id = ws.object_id WHERE c.system_identifier = ? AND ws.timeline = ?"
      " AND ws.segno = ? AND ws.partial = 0 AND ws.problem IS NULL AND o.missing_since IS NULL"
      " LIMIT 1");
  s.bind_all(system_identifier, timeline, segno);
  return s.step();
}

} // namespace lastgood::catalog
