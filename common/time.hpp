#pragma once
// Times are RFC 3339 in UTC ("2026-11-22T02:00:00Z"); durations look like
// "90s", "36h", "7d", "2w" or combinations ("1d12h").

#include <chrono>
#include <string>
#include <string_view>

namespace lastgood {

using Clock = std::chrono::system_clock;
using TimePoint = std::chrono::sys_seconds;

TimePoint now_seconds();
std::string format_rfc3339(TimePoint t);
// Accepts RFC 3339 with Z or a numeric offset, fractional seconds, a space
// instead of 'T', and a bare date (midnight UTC). Throws ValidationError.
TimePoint parse_rfc3339(std::string_view text);
// PostgreSQL's "%Y-%m-%d %H:%M:%S %Z" as in backup_label (UTC/GMT or a numeric
// zone). Returns false if the zone is not one we can resolve without tzdata.
bool parse_pg_timestamp(std::string_view text, TimePoint& out);

std::chrono::seconds parse_duration(std::string_view text);
std::string format_duration(std::chrono::seconds d);

} // namespace lastgood
