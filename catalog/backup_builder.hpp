#pragma once
// Turns cataloged objects into backups: a dump file, a directory dump, or a
// base backup directory (plain or tar) becomes one backup with its member
// objects. Derived from the catalog alone, so it can be re-run at any time.

#include <cstdint>
#include <string>

#include "catalog/sqlite.hpp"

namespace lastgood::catalog {

struct BuildSummary {
  std::size_t backups = 0;      // backups found in the repository
  std::size_t new_backups = 0;
};

// Rebuilds the backups of one repository from its objects. Call inside a transaction.
BuildSummary build_backups(Database& db, std::int64_t repository_id, const std::string& now);

// Cross-repository facts: .backup history files complete physical backups
// (stop LSN/time), WAL history files inherit the cluster of the segments
// beside them, and backups with missing members are marked.
void link_wal_facts(Database& db, const std::string& now);

// The short, stable, human-typable ID: 20261122T0200-shop-7f3a.
std::string make_backup_id(const std::string& time_rfc3339, const std::string& name,
                           const std::string& stable_key, std::size_t hash_chars = 4);

} // namespace lastgood::catalog
