// GFS buckets on hand-checked calendars (ISO weeks across year ends, UTC day
// boundaries) and the newest-of-the-N-most-recent-buckets selection.

#include "compliance/gfs.hpp"

#include <gtest/gtest.h>

namespace lastgood::compliance {
namespace {

TimePoint at(const char* text)
{
  return parse_rfc3339(text);
}

TEST(GfsBuckets, DailyIsTheUtcCalendarDay)
{
  EXPECT_EQ(bucket_key(GfsPeriod::Daily, at("2026-11-22T23:59:59Z")), "2026-11-22");
  EXPECT_EQ(bucket_key(GfsPeriod::Daily, at("2026-11-23T00:00:00Z")), "2026-11-23");
  // 01:30 in UTC+02:00 is still the previous day in UTC.
  EXPECT_EQ(bucket_key(GfsPeriod::Daily, at("2026-11-23T01:30:00+02:00")), "2026-11-22");
  EXPECT_EQ(bucket_key(GfsPeriod::Daily, at("2024-02-29T12:00:00Z")), "2024-02-29");
}

TEST(GfsBuckets, WeeklyIsTheIsoWeekStartingMonday)
{
  // 2026-11-22 is a Sunday (ISO 2026-W47), the Monday after starts W48.
  EXPECT_EQ(bucket_key(GfsPeriod::Weekly, at("2026-11-16T00:00:00Z")), "2026-W47");
  EXPECT_EQ(bucket_key(GfsPeriod::Weekly, at("2026-11-22T23:59:59Z")), "2026-W47");
  EXPECT_EQ(bucket_key(GfsPeriod::Weekly, at("2026-11-23T00:00:00Z")), "2026-W48");
}

TEST(GfsBuckets, IsoWeeksCrossYearEnds)
{
  // 2020 has 53 ISO weeks; 2021-01-03 (Sunday) still belongs to 2020-W53.
  EXPECT_EQ(bucket_key(GfsPeriod::Weekly, at("2020-12-31T10:00:00Z")), "2020-W53");
  EXPECT_EQ(bucket_key(GfsPeriod::Weekly, at("2021-01-03T23:00:00Z")), "2020-W53");
  EXPECT_EQ(bucket_key(GfsPeriod::Weekly, at("2021-01-04T00:00:00Z")), "2021-W01");
  // Monday 2024-12-30 already belongs to 2025-W01.
  EXPECT_EQ(bucket_key(GfsPeriod::Weekly, at("2024-12-29T23:59:59Z")), "2024-W52");
  EXPECT_EQ(bucket_key(GfsPeriod::Weekly, at("2024-12-30T00:00:00Z")), "2025-W01");
  // 2027-01-01 (Friday) is in 2026-W53.
  EXPECT_EQ(bucket_key(GfsPeriod::Weekly, at("2027-01-01T12:00:00Z")), "2026-W53");
  EXPECT_EQ(bucket_key(GfsPeriod::Weekly, at("2027-01-04T00:00:00Z")), "2027-W01");
}

TEST(GfsBuckets, MonthlyAndYearlyFollowTheUtcCalendar)
{
  EXPECT_EQ(bucket_key(GfsPeriod::Monthly, at("2026-11-30T23:59:59Z")), "2026-11");
  EXPECT_EQ(bucket_key(GfsPeriod::Monthly, at("2026-12-01T00:00:00Z")), "2026-12");
  EXPECT_EQ(bucket_key(GfsPeriod::Monthly, at("2026-12-01T00:30:00+01:00")), "2026-11");
  EXPECT_EQ(bucket_key(GfsPeriod::Yearly, at("2026-12-31T23:59:59Z")), "2026");
  EXPECT_EQ(bucket_key(GfsPeriod::Yearly, at("2027-01-01T00:00:00Z")), "2027");
  // The ISO week-year and the calendar year differ here; yearly uses the calendar.
  EXPECT_EQ(bucket_key(GfsPeriod::Yearly, at("2024-12-30T00:00:00Z")), "2024");
}

TEST(GfsSelect, NewestOfEachOfTheMostRecentBuckets)
{
  const std::vector<TimePoint> newest_first = {
      at("2026-11-22T20:00:00Z"), at("2026-11-22T02:00:00Z"), // Sunday: two backups
      at("2026-11-20T02:00:00Z"),                             // Friday (no backup on Saturday)
      at("2026-11-19T02:00:00Z"), at("2026-11-18T02:00:00Z")};
  auto daily = select_gfs(newest_first, GfsPeriod::Daily, 3);
  ASSERT_EQ(daily.size(), 5u);
  EXPECT_EQ(daily[0], "2026-11-22");
  EXPECT_EQ(daily[1], std::nullopt) << "an older backup of the same day is not the day's newest";
  EXPECT_EQ(daily[2], "2026-11-20") << "days without a backup are not counted";
  EXPECT_EQ(daily[3], "2026-11-19");
  EXPECT_EQ(daily[4], std::nullopt) << "only the 3 most recent days";

  auto weekly = select_gfs(newest_first, GfsPeriod::Weekly, 5);
  EXPECT_EQ(weekly[0], "2026-W47");
  for (std::size_t i = 1; i < weekly.size(); ++i)
    EXPECT_EQ(weekly[i], std::nullopt) << i;

  EXPECT_TRUE(select_gfs({}, GfsPeriod::Yearly, 3).empty());
  auto none = select_gfs(newest_first, GfsPeriod::Monthly, 0);
  for (const auto& k : none)
    EXPECT_EQ(k, std::nullopt);
}

TEST(GfsSelect, WeeklyAcrossAYearEnd)
{
  const std::vector<TimePoint> newest_first = {
      at("2027-01-04T01:00:00Z"), at("2027-01-03T01:00:00Z"), at("2026-12-28T01:00:00Z"),
      at("2026-12-27T01:00:00Z")};
  auto weekly = select_gfs(newest_first, GfsPeriod::Weekly, 3);
  EXPECT_EQ(weekly[0], "2027-W01");
  EXPECT_EQ(weekly[1], "2026-W53") << "Sunday 2027-01-03 closes ISO week 2026-W53";
  EXPECT_EQ(weekly[2], std::nullopt) << "Monday 2026-12-28 is in the same week, older";
  EXPECT_EQ(weekly[3], "2026-W52");
}

} // namespace
} // namespace lastgood::compliance
