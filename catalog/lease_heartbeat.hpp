#pragma once
// Renews a verification lease while its holder works: a thread with a
// connection of its own moves the expiry on every third of it, so a test
// restore longer than the expiry keeps its lease, and a process that dies
// (kill -9 takes the thread with it) stops renewing and loses the lease
// when it runs out. Stops when destroyed.

#include "catalog/database.hpp"

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <mutex>
#include <string>
#include <thread>

namespace lastgood::catalog {

class LeaseHeartbeat
{
public:
  // catalog_path: the catalog the lease is in (a second connection is opened to it).
  LeaseHeartbeat(std::string catalog_path, std::int64_t backup_row_id, std::string holder,
                 std::chrono::seconds expiry);
  ~LeaseHeartbeat();
  LeaseHeartbeat(const LeaseHeartbeat&) = delete;
  LeaseHeartbeat& operator=(const LeaseHeartbeat&) = delete;

  // False once a renewal found the lease gone (it expired and another holder took it).
  bool still_held() const { return !m_lost; }

private:
  void beat();

  std::string m_catalog_path;
  std::int64_t m_backup_row_id;
  std::string m_holder;
  std::chrono::seconds m_expiry;
  std::atomic<bool> m_lost{false};
  bool m_stop = false;
  std::mutex m_mutex;
  std::condition_variable m_wake;
  std::thread m_thread;
};

} // namespace lastgood::catalog
