#include "catalog/verification_leases.hpp"

#include "catalog/local_process.hpp"
#include "common/time.hpp"

namespace lastgood::catalog {

namespace {

// "host:pid" -> whether that process is known to be gone.
bool holder_is_dead(const std::string& holder)
{
  const auto colon = holder.rfind(':');
  if (colon == std::string::npos) return false;
  try {
    return is_dead_local_process(holder.substr(0, colon), std::stoll(holder.substr(colon + 1)));
  } catch (const std::exception&) {
    return false; // not ours to judge
  }
}

} // namespace

LeaseAttempt acquire_lease(Database& db, std::int64_t backup_row_id, const std::string& holder,
                           std::chrono::seconds duration)
{
  Transaction tx(db);
  const auto now = now_seconds();
  LeaseAttempt attempt;
  auto current =
      db.prepare("SELECT holder, expires_at FROM verification_leases WHERE backup_id = ?");
  current.bind(1, backup_row_id);
  if (current.step() && current.text(0) != holder && current.text(1) > format_rfc3339(now)) {
    if (!holder_is_dead(current.text(0))) {
      attempt.held_by = current.text(0);
      attempt.expires_at = current.text(1);
      return attempt;
    }
    attempt.taken_from = current.text(0);
  }
  current.reset();
  db.prepare("INSERT INTO verification_leases (backup_id, holder, expires_at) VALUES (?, ?, ?)"
             " ON CONFLICT (backup_id) DO UPDATE SET holder = excluded.holder, expires_at = "
             "excluded.expires_at")
      .bind_all(backup_row_id, holder, format_rfc3339(now + duration))
      .run();
  tx.commit();
  attempt.acquired = true;
  return attempt;
}

void release_lease(Database& db, std::int64_t backup_row_id, const std::string& holder)
{
  db.prepare("DELETE FROM verification_leases WHERE backup_id = ? AND holder = ?")
      .bind_all(backup_row_id, holder)
      .run();
}

} // namespace lastgood::catalog
