#pragma once
// Leases keep two verifiers off the same backup, on one host or many sharing
// the catalog. A lease names its holder "host:pid:start"; the holder renews
// it while it works (LeaseHeartbeat), so a lease whose heartbeat stopped
// expires and any host takes it over; a holder that is a dead process on this
// host (a verify killed with -9) loses its lease at once.
//
// Acquisition is one transaction that sees one state of the backup's lease
// and of its source's restore leases. SQLite: BEGIN IMMEDIATE, serialised with
// every other writer. PostgreSQL: no fleet-wide writer lock
// (Transaction::Lock::Rows), so workers on many hosts acquire in parallel;
// what the writer lock gave comes from narrower locks instead:
// - the lease row is read `FOR UPDATE SKIP LOCKED`: a row another worker is
//   deciding on is skipped (that backup is not acquired), never waited for;
//   a row read is changed with UPDATE under its lock;
// - a free backup is taken with `INSERT … ON CONFLICT DO NOTHING`: of two
//   workers inserting at once exactly one row lands, the other gets nothing;
// - a restore lease under a per-source cap first takes an advisory xact lock
//   on the source (two-key space: hashtext(source)), so capped acquisitions of
//   one source are decided one at a time and the cap is exact.
// A lease plainly held by a live holder is seen by a read first and skipped
// without a transaction.

#include "catalog/database.hpp"

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>

namespace lastgood::catalog {

struct LeaseRequest
{
  std::int64_t backup_row_id = 0;
  std::string holder;                              // this_process()
  std::chrono::seconds expiry{300};                // renewed by the heartbeat before it runs out
  std::string source_key;                          // the source server the backup comes from
  bool restores = false;                           // the leased work is a test restore
  unsigned max_concurrent_restores_per_source = 0; // across all holders; 0 = no cap
};

struct LeaseAttempt
{
  bool acquired = false;
  std::string held_by;                       // when not acquired: who holds it
  std::string expires_at;                    // when not acquired: until when
  bool capped = false;                       // not acquired: the source has its cap of restores
  std::optional<std::string> taken_from;     // acquired from a dead process on this host
  std::optional<std::string> expired_holder; // acquired after its holder's heartbeat stopped
  std::optional<std::int64_t> taken_run;     // the run the former holder had begun, if any
};

// Takes the lease unless another holder has a live one, or (a restore with a
// cap) the source already has that many live restore leases of other backups.
LeaseAttempt acquire_lease(Database& db, const LeaseRequest& request);
// As above, without a source or cap.
LeaseAttempt acquire_lease(Database& db, std::int64_t backup_row_id, const std::string& holder,
                           std::chrono::seconds duration);
// Moves the expiry on; false when the lease is no longer this holder's (it expired and
// was taken over).
bool renew_lease(Database& db, std::int64_t backup_row_id, const std::string& holder,
                 std::chrono::seconds expiry);
// Names the run the holder began under the lease, so a taker-over can close it.
void attach_run_to_lease(Database& db, std::int64_t backup_row_id, const std::string& holder,
                         std::int64_t run_id);
void release_lease(Database& db, std::int64_t backup_row_id, const std::string& holder);

} // namespace lastgood::catalog
