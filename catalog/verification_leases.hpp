#pragma once
// Leases keep two verifiers off the same backup. A lease names its holder as
// "host:pid"; a holder that is a dead process on this host (a verify killed
// with -9) loses its lease at once, a holder on another host keeps it until
// it expires.

#include "catalog/sqlite.hpp"

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>

namespace lastgood::catalog {

struct LeaseAttempt
{
  bool acquired = false;
  std::string held_by;                   // when not acquired: who holds it
  std::string expires_at;                // when not acquired: until when
  std::optional<std::string> taken_from; // acquired from a dead process on this host
};

// Takes the lease for holder unless someone else holds a live one.
LeaseAttempt acquire_lease(Database& db, std::int64_t backup_row_id, const std::string& holder,
                           std::chrono::seconds duration);
void release_lease(Database& db, std::int64_t backup_row_id, const std::string& holder);

} // namespace lastgood::catalog
