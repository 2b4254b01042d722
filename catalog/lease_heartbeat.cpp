#include "catalog/lease_heartbeat.hpp"

#include "catalog/verification_leases.hpp"

#include <algorithm>

namespace lastgood::catalog {

LeaseHeartbeat::LeaseHeartbeat(std::string catalog_path, std::int64_t backup_row_id,
                               std::string holder, std::chrono::seconds expiry)
    : m_catalog_path(std::move(catalog_path)), m_backup_row_id(backup_row_id),
      m_holder(std::move(holder)), m_expiry(expiry)
{
  m_thread = std::thread([this] { beat(); });
}

LeaseHeartbeat::~LeaseHeartbeat()
{
  {
    std::lock_guard lock(m_mutex);
    m_stop = true;
  }
  m_wake.notify_all();
  m_thread.join();
}

void LeaseHeartbeat::beat()
{
  const auto interval = std::max<std::chrono::milliseconds>(
      std::chrono::duration_cast<std::chrono::milliseconds>(m_expiry) / 3,
      std::chrono::milliseconds(200));
  std::unique_ptr<Database> db;
  std::unique_lock lock(m_mutex);
  while (!m_wake.wait_for(lock, interval, [this] { return m_stop; })) {
    lock.unlock();
    try {
      if (!db) db = std::make_unique<Database>(m_catalog_path, Database::Mode::ReadWrite);
      if (!renew_lease(*db, m_backup_row_id, m_holder, m_expiry)) m_lost = true;
    } catch (const std::exception&) {
      // A busy or unreachable catalog: the next beat tries again; the lease
      // has two more beats before it runs out.
    }
    lock.lock();
    if (m_lost) return;
  }
}

} // namespace lastgood::catalog
