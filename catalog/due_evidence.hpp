#pragma once
// The catalog's side of `verify --due`: which scopes (a database's dumps, a
// cluster's base backups) have no restore verdict newer than a cutoff, and
// which backups' bytes were last read before a cutoff. verifier/due_policy
// decides what to do with them.

#include "catalog/database.hpp"

#include <optional>
#include <string>
#include <vector>

namespace lastgood::catalog {

struct RestoreDueScope
{
  std::string scope;                          // "database shop" or "cluster 7312..."
  std::optional<std::string> last_restore_at; // newest restore verdict of any of its backups
  std::vector<std::string> candidates;        // backup IDs, never restore-tested first, then newest
};

// Databases (logical dumps a scratch server can take; not pg_dumpall output)
// and clusters (base backups) whose newest restore verdict (pass or fail) is
// older than cutoff or missing; longest untested first. Deleted and missing
// backups do not count.
std::vector<RestoreDueScope> scopes_due_for_restore(Database& db, const std::string& cutoff);

struct ChecksumDueBackup
{
  std::string backup_id;
  std::optional<std::string>
      last_read; // newest pass/fail run of any level (each re-reads every object)
};

// Backups whose objects were last read by a verification before cutoff, or never.
std::vector<ChecksumDueBackup> backups_due_for_checksum(Database& db, const std::string& cutoff);

} // namespace lastgood::catalog
