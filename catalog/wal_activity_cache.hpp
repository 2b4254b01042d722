#pragma once
// What each archived segment's transactions did (pg::WalActivity), kept per
// object and content (table wal_activity, migration 0017), and the segment
// bounds a search walks between.

#include "catalog/database.hpp"
#include "pg/wal_activity.hpp"

#include <cstdint>
#include <optional>
#include <string>

namespace lastgood::catalog {

// The cached activity of the object, if read from its current content (sha256).
std::optional<pg::WalActivity> cached_wal_activity(Database& db, std::int64_t object_id,
                                                   const std::optional<std::string>& sha256);
void store_wal_activity(Database& db, std::int64_t object_id,
                        const std::optional<std::string>& sha256, const pg::WalActivity& activity);

// The lowest usable (whole, present, matching) segment number of a timeline.
std::optional<std::uint64_t> min_usable_segno(Database& db, std::int64_t cluster_id,
                                              std::uint32_t timeline);

} // namespace lastgood::catalog
