#include "catalog/retention_lock.hpp"

namespace lastgood::catalog {

bool backup_deleted(Database& db, std::int64_t backup_row_id)
{
  auto s = db.prepare("SELECT 1 FROM backups WHERE id = ? AND deleted_at IS NOT NULL");
  s.bind(1, backup_row_id);
  return s.step();
}

bool object_deleted(Database& db, std::int64_t object_id)
{
  auto s = db.prepare("SELECT 1 FROM objects WHERE id = ? AND deleted_at IS NOT NULL");
  s.bind(1, object_id);
  return s.step();
}

} // namespace lastgood::catalog
