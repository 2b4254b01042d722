#pragma once
// One `retention apply` per catalog at a time, across processes: two at once
// made the same plan and deleted the same backups twice (two audit rows each,
// both reporting them). Byte 0 of the scan lock file (no repository has id 0,
// rowids start at 1): the kernel drops it when its holder exits, even by kill -9.

#include "catalog/database.hpp"
#include "catalog/scan_lock.hpp"

#include <functional>

namespace lastgood::catalog {

class RetentionLock
{
public:
  // Blocks until no other process applies retention to this catalog.
  explicit RetentionLock(Database& db, const std::function<void()>& on_wait = {})
      : m_lock(db, 0, on_wait)
  {
  }

private:
  ScanLock m_lock;
};

// Whether a backup (backups.id) or an object (objects.id) is marked deleted now.
bool backup_deleted(Database& db, std::int64_t backup_row_id);
bool object_deleted(Database& db, std::int64_t object_id);

} // namespace lastgood::catalog
