#pragma once
// One scan per repository at a time, across processes. Two scans of the same
// repository would hash the same files twice and could mark each other's
// sightings missing (an object seen only by the older scan looks "unseen" to
// the newer one). The lock is an open-file-description lock on a byte of a file
// beside the catalog (byte = repository id): the kernel drops it when its
// holder exits, even by kill -9, so nothing stale is ever left to clean up.
// SQLite in WAL mode already requires every process to share this host. A
// PostgreSQL catalog is shared by hosts: there the lock is a session advisory
// lock on the catalog server, dropped when the holder's connection ends.

#include "catalog/database.hpp"

#include <cstdint>
#include <functional>
#include <string>

namespace lastgood::catalog {

class ScanLock
{
public:
  // Blocks until no other process scans this repository; on_wait is called
  // once first when another one does. A catalog without a file (in memory)
  // needs no lock.
  ScanLock(Database& db, std::int64_t repository_id, const std::function<void()>& on_wait);
  ~ScanLock();
  ScanLock(const ScanLock&) = delete;
  ScanLock& operator=(const ScanLock&) = delete;

  // "<catalog>-scan.lock"
  static std::string path_for(const std::string& catalog_path);

private:
  int m_fd = -1;
  Database* m_advisory = nullptr; // the PostgreSQL connection holding the lock
  std::int64_t m_key = 0;
};

} // namespace lastgood::catalog
