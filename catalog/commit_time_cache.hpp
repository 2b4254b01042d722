#pragma once
// pg_waldump's commit times per archived segment (table wal_commit_times,
// migration 0005), so a time target is mapped by reading each segment once.

#include "catalog/database.hpp"
#include "pg/waldump_times.hpp"

#include <cstdint>
#include <optional>
#include <string>

namespace lastgood::catalog {

// Cached times of the object, if computed from its current content (sha256).
std::optional<pg::CommitTimes> cached_commit_times(Database& db, std::int64_t object_id,
                                                   const std::optional<std::string>& sha256);
void store_commit_times(Database& db, std::int64_t object_id,
                        const std::optional<std::string>& sha256, const pg::CommitTimes& times);

} // namespace lastgood::catalog
