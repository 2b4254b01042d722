#include "compliance/gfs.hpp"

#include <cstdio>
#include <date/date.h>
#include <date/iso_week.h>

namespace lastgood::compliance {

std::string_view to_string(GfsPeriod period)
{
  switch (period) {
  case GfsPeriod::Daily:
    return "daily";
  case GfsPeriod::Weekly:
    return "weekly";
  case GfsPeriod::Monthly:
    return "monthly";
  case GfsPeriod::Yearly:
    return "yearly";
  }
  return "?";
}

std::string bucket_key(GfsPeriod period, TimePoint t)
{
  const auto day = date::floor<date::days>(t);
  const date::year_month_day ymd{day};
  const int y = static_cast<int>(ymd.year());
  const unsigned m = static_cast<unsigned>(ymd.month());
  const unsigned d = static_cast<unsigned>(ymd.day());
  char buf[32];
  switch (period) {
  case GfsPeriod::Daily:
    std::snprintf(buf, sizeof buf, "%04d-%02u-%02u", y, m, d);
    break;
  case GfsPeriod::Weekly: {
    const iso_week::year_weeknum_weekday iso{day};
    std::snprintf(buf, sizeof buf, "%04d-W%02u", static_cast<int>(iso.year()),
                  static_cast<unsigned>(iso.weeknum()));
    break;
  }
  case GfsPeriod::Monthly:
    std::snprintf(buf, sizeof buf, "%04d-%02u", y, m);
    break;
  case GfsPeriod::Yearly:
    std::snprintf(buf, sizeof buf, "%04d", y);
    break;
  }
  return buf;
}

std::vector<std::optional<std::string>> select_gfs(const std::vector<TimePoint>& newest_first,
                                                   GfsPeriod period, int count)
{
  std::vector<std::optional<std::string>> out(newest_first.size());
  std::string last;
  int taken = 0;
  for (std::size_t i = 0; i < newest_first.size() && taken < count; ++i) {
    auto key = bucket_key(period, newest_first[i]);
    // Sorted newest first: the first backup seen in a bucket is its newest.
    if (i > 0 && key == last) continue;
    last = key;
    out[i] = key;
    ++taken;
  }
  return out;
}

} // namespace lastgood::compliance
