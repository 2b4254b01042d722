#pragma once
// Legal holds as the catalog stores them, and the one rule for "a hold is
// active": not released and not expired at a given moment. Every query that
// asks whether a backup is held uses active_hold_condition().

#include "catalog/database.hpp"
#include "common/time.hpp"

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace lastgood::catalog {

struct HoldRecord
{
  std::int64_t id = 0;
  std::int64_t backup_row_id = 0;
  std::string backup_id;
  std::string reason;
  std::optional<std::string> until; // RFC 3339; nullopt: indefinite
  std::string created_by, created_at;
  std::optional<std::string> released_by, released_at, release_reason;

  // "active", "expired" or "released" at `now`.
  std::string state(TimePoint now) const;
};

// The SQL condition "hold `alias` is active at `at`" (an SQL expression giving
// an RFC 3339 time): not released by then and not expired by then. Queries
// that look back in time add "created by then" themselves.
std::string active_hold_condition(std::string_view alias, std::string_view at);

// Whether the backup has a hold active at `at` (RFC 3339).
bool backup_held_at(Database& db, std::int64_t backup_row_id, const std::string& at);

// Puts a backup (full ID or unique prefix) under hold, audited (hold.add), in one
// transaction. Throws UsageError when the backup does not exist or was deleted.
HoldRecord insert_hold(Database& db, const std::string& backup_id,
                       const std::optional<std::string>& until, const std::string& reason,
                       const std::string& created_at);
// Releases every hold of the backup active at `at`, audited (hold.release), in one
// transaction; returns them. Throws UsageError when there is none.
std::vector<HoldRecord> release_active_holds(Database& db, const std::string& backup_id,
                                             const std::string& reason, const std::string& at);
// All holds, newest first (released and expired ones too).
std::vector<HoldRecord> list_holds(Database& db);

} // namespace lastgood::catalog
