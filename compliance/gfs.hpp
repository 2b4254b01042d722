#pragma once
// Grandfather-father-son buckets: calendar days, ISO weeks, months and years
// in UTC. Within each of the N most recent buckets that hold a backup, the
// newest backup is kept. Pure functions, no catalog.

#include "common/time.hpp"

#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace lastgood::compliance {

enum class GfsPeriod { Daily, Weekly, Monthly, Yearly };
std::string_view to_string(GfsPeriod period); // "daily", "weekly", "monthly", "yearly"

// The bucket a time falls into, in UTC: "2026-11-22", "2026-W47" (ISO 8601
// week-based year and week), "2026-11", "2026".
std::string bucket_key(GfsPeriod period, TimePoint t);

// `newest_first` must be sorted newest first (ties broken by the caller).
// Returns, per index, the bucket key when that backup is the newest of one of
// the `count` most recent buckets, else nullopt.
std::vector<std::optional<std::string>> select_gfs(const std::vector<TimePoint>& newest_first,
                                                   GfsPeriod period, int count);

} // namespace lastgood::compliance
