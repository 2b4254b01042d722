#include "catalog/retention_deletions.hpp"

namespace lastgood::catalog {

std::optional<RetentionDeletion> retention_deleted_since(Database& db, const std::string& backup_id,
                                                         const std::string& since)
{
  auto s = db.prepare("SELECT id, at FROM audit_log WHERE action = 'retention.delete_backup'"
                      " AND subject = ? AND at >= ? ORDER BY id LIMIT 1");
  s.bind_all(backup_id, since);
  if (!s.step()) return std::nullopt;
  return RetentionDeletion{s.text(1), s.int64(0)};
}

} // namespace lastgood::catalog
