#include "catalog/verification_leases.hpp"

#include "catalog/local_process.hpp"
#include "common/time.hpp"

namespace lastgood::catalog {

namespace {

// Live restore leases of other backups from the same source.
unsigned live_restores_of_source(Database& db, const LeaseRequest& request, const std::string& now)
{
  auto s = db.prepare("SELECT holder FROM verification_leases WHERE source_key = ? AND"
                      " restores = 1 AND backup_id <> ? AND expires_at > ?");
  s.bind_all(request.source_key, request.backup_row_id, now);
  unsigned live = 0;
  while (s.step())
    if (!holder_is_dead(s.text(0))) ++live;
  return live;
}

} // namespace

namespace {

// Who holds the backup's lease and until when; nullopt when nobody does.
std::optional<LeaseAttempt> current_holder(Database& db, std::int64_t backup_row_id)
{
  auto current =
      db.prepare("SELECT holder, expires_at FROM verification_leases WHERE backup_id = ?");
  current.bind(1, backup_row_id);
  if (!current.step()) return std::nullopt;
  LeaseAttempt attempt;
  attempt.held_by = current.text(0);
  attempt.expires_at = current.text(1);
  return attempt;
}

// The lease when a live holder other than `request`'s holds it unexpired:
// read without the writer lock, since acquiring it is not possible anyway.
std::optional<LeaseAttempt> held_elsewhere(Database& db, const LeaseRequest& request)
{
  auto held = current_holder(db, request.backup_row_id);
  if (!held || held->held_by == request.holder) return std::nullopt;
  if (held->expires_at <= format_rfc3339(now_seconds()) || holder_is_dead(held->held_by))
    return std::nullopt;
  return held;
}

} // namespace

namespace {

// Capped restore leases of one source are decided one at a time across the
// fleet (PostgreSQL; SQLite's transaction already excludes every writer), so
// the count of its live restores and the insert see one state. The two-key
// advisory lock space never meets the catalog's one-key writer lock.
void lock_source_restores(Database& db, const std::string& source_key)
{
  if (db.engine() != Engine::Postgres) return;
  auto lock = db.prepare("SELECT pg_advisory_xact_lock(1818326119, hashtext(?))");
  lock.bind(1, source_key);
  lock.step();
}

// The backup's lease row, locked for this transaction; on PostgreSQL a row
// another worker is deciding on is skipped, not waited for (no row).
Statement locked_lease_row(Database& db, std::int64_t backup_row_id)
{
  auto current = db.prepare(db.engine() == Engine::Postgres
                                ? "SELECT holder, expires_at, run_id FROM verification_leases"
                                  " WHERE backup_id = ? FOR UPDATE SKIP LOCKED"
                                : "SELECT holder, expires_at, run_id FROM verification_leases"
                                  " WHERE backup_id = ?");
  current.bind(1, backup_row_id);
  return current;
}

} // namespace

namespace {

LeaseAttempt acquire_lease(Database& db, const LeaseRequest& request, bool again)
{
  if (auto held = held_elsewhere(db, request)) return *held;
  const bool capped = request.restores && request.max_concurrent_restores_per_source > 0;
  Transaction tx(db, Transaction::Lock::Rows);
  if (capped) lock_source_restores(db, request.source_key);
  const auto now = now_seconds();
  const auto now_text = format_rfc3339(now);
  LeaseAttempt attempt;
  auto current = locked_lease_row(db, request.backup_row_id);
  const bool row_locked = current.step();
  if (row_locked && current.text(0) != request.holder) {
    const bool expired = current.text(1) <= now_text;
    if (!expired && !holder_is_dead(current.text(0))) {
      attempt.held_by = current.text(0);
      attempt.expires_at = current.text(1);
      return attempt;
    }
    // An expired lease of a dead local process is a takeover from the dead.
    if (!expired || holder_is_dead(current.text(0)))
      attempt.taken_from = current.text(0);
    else
      attempt.expired_holder = current.text(0);
    if (!current.is_null(2)) attempt.taken_run = current.int64(2);
  }
  current.reset();
  if (capped && live_restores_of_source(db, request, now_text) >=
                    request.max_concurrent_restores_per_source) {
    attempt = LeaseAttempt{};
    attempt.capped = true;
    return attempt;
  }
  const auto expires = format_rfc3339(now + request.expiry);
  if (row_locked) {
    db.prepare("UPDATE verification_leases SET holder = ?, expires_at = ?, run_id = NULL,"
               " acquired_at = ?, heartbeat_at = ?, source_key = ?, restores = ?"
               " WHERE backup_id = ?")
        .bind_all(request.holder, expires, now_text, now_text, request.source_key,
                  request.restores ? 1 : 0, request.backup_row_id)
        .run();
  } else {
    // No row, or (PostgreSQL) one locked by a worker deciding on it: only an
    // insert that finds no row at all takes the lease.
    db.prepare("INSERT INTO verification_leases (backup_id, holder, expires_at, run_id,"
               " acquired_at, heartbeat_at, source_key, restores)"
               " VALUES (?, ?, ?, NULL, ?, ?, ?, ?) ON CONFLICT (backup_id) DO NOTHING")
        .bind_all(request.backup_row_id, request.holder, expires, now_text, now_text,
                  request.source_key, request.restores ? 1 : 0)
        .run();
    if (db.changes() == 0) {
      tx.commit();
      if (auto held = current_holder(db, request.backup_row_id)) return *held;
      // Released between the two statements: ask once more (the caller then
      // finds the backup verified meanwhile, or verifies it).
      if (!again) return acquire_lease(db, request, true);
      attempt.held_by = "another verifier";
      attempt.expires_at = "it released it";
      return attempt;
    }
  }
  tx.commit();
  attempt.acquired = true;
  return attempt;
}

} // namespace

LeaseAttempt acquire_lease(Database& db, const LeaseRequest& request)
{
  return acquire_lease(db, request, false);
}

LeaseAttempt acquire_lease(Database& db, std::int64_t backup_row_id, const std::string& holder,
                           std::chrono::seconds duration)
{
  LeaseRequest request;
  request.backup_row_id = backup_row_id;
  request.holder = holder;
  request.expiry = duration;
  return acquire_lease(db, request);
}

bool renew_lease(Database& db, std::int64_t backup_row_id, const std::string& holder,
                 std::chrono::seconds expiry)
{
  const auto now = now_seconds();
  db.prepare("UPDATE verification_leases SET expires_at = ?, heartbeat_at = ?"
             " WHERE backup_id = ? AND holder = ?")
      .bind_all(format_rfc3339(now + expiry), format_rfc3339(now), backup_row_id, holder)
      .run();
  return db.changes() > 0;
}

void attach_run_to_lease(Database& db, std::int64_t backup_row_id, const std::string& holder,
                         std::int64_t run_id)
{
  db.prepare("UPDATE verification_leases SET run_id = ? WHERE backup_id = ? AND holder = ?")
      .bind_all(run_id, backup_row_id, holder)
      .run();
}

void release_lease(Database& db, std::int64_t backup_row_id, const std::string& holder)
{
  db.prepare("DELETE FROM verification_leases WHERE backup_id = ? AND holder = ?")
      .bind_all(backup_row_id, holder)
      .run();
}

} // namespace lastgood::catalog
