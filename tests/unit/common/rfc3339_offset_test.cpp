// Issue 13: an RFC 3339 offset is -23:59..+23:59; "+25:00" used to be taken as 25 hours.

#include "common/error.hpp"
#include "common/time.hpp"

#include <gtest/gtest.h>

namespace lastgood {
namespace {

TEST(Rfc3339Offset, OffsetsWithinADayAreRead)
{
  EXPECT_EQ(format_rfc3339(parse_rfc3339("2026-11-22T03:00:00+01:00")), "2026-11-22T02:00:00Z");
  EXPECT_EQ(format_rfc3339(parse_rfc3339("2026-11-22T02:00:00+23:59")), "2026-11-21T02:01:00Z");
  EXPECT_EQ(format_rfc3339(parse_rfc3339("2026-11-22T02:00:00-05:30")), "2026-11-22T07:30:00Z");
  EXPECT_EQ(format_rfc3339(parse_rfc3339("2026-11-22T02:00:00Z")), "2026-11-22T02:00:00Z");
  EXPECT_EQ(format_rfc3339(parse_rfc3339("2026-11-22")), "2026-11-22T00:00:00Z");
}

TEST(Rfc3339Offset, OffsetsBeyondADayAreRefusedWithTheRange)
{
  for (const char* bad : {"2026-11-22T02:00:00+25:00", "2026-11-22T02:00:00-24:00",
                          "2026-11-22T02:00:00+01:60", "2026-11-22 02:00:00+99:00"}) {
    SCOPED_TRACE(bad);
    try {
      parse_rfc3339(bad);
      ADD_FAILURE() << "accepted";
    } catch (const ValidationError& e) {
      EXPECT_NE(std::string(e.what()).find("between -23:59 and +23:59"), std::string::npos)
          << e.what();
    }
  }
}

// Found by fuzzing: date::parse negated an unset offset for a one-digit
// negative zone ("-1"), undefined behaviour. Offsets are now read by us.
TEST(Rfc3339Offset, MalformedOffsetsAreInvalidTimes)
{
  for (const char* bad :
       {"2026-11-22T02:00:00-1", "2026-11-22T02:00:00-0:00", "2026-11-22T02:00:00+1",
        "2026-11-22T02:00:00-:00", "2026-11-22T02:00:00+01:0", "2026-11-22T02:00:00-01x00"}) {
    SCOPED_TRACE(bad);
    try {
      parse_rfc3339(bad);
      ADD_FAILURE() << "accepted";
    } catch (const ValidationError& e) {
      EXPECT_NE(std::string(e.what()).find("use RFC 3339"), std::string::npos) << e.what();
    }
  }
}

TEST(PgTimestamp, UtcAndNumericZonesAreReadOthersAreNot)
{
  TimePoint t;
  ASSERT_TRUE(parse_pg_timestamp("2026-11-26 00:27:29 UTC", t));
  EXPECT_EQ(format_rfc3339(t), "2026-11-26T00:27:29Z");
  ASSERT_TRUE(parse_pg_timestamp("2026-11-26 01:27:29 +01", t));
  EXPECT_EQ(format_rfc3339(t), "2026-11-26T00:27:29Z");
  ASSERT_TRUE(parse_pg_timestamp("2026-11-25 19:57:29 -0430", t));
  EXPECT_EQ(format_rfc3339(t), "2026-11-26T00:27:29Z");
  // Found by fuzzing: date::parse made NaN seconds of "2.09"; read field by field now.
  ASSERT_TRUE(parse_pg_timestamp("2026-11-27 11:27:2.09 UTC", t));
  EXPECT_EQ(format_rfc3339(t), "2026-11-27T11:27:02Z");
  for (const char* unread :
       {"2026-11-26 00:27:29 CET", "2026-11-26 00:27:29 -1", "2026-11-26 00:27:29 -0",
        "2026-11-26 00:27:29 +25", "2026-11-26 00:27:29 +01:6", "2026-02-30 00:00:00 UTC",
        "2026-11-26 24:00:00 UTC", "2026-11-27 12210:7.:9 UTC"}) {
    SCOPED_TRACE(unread);
    EXPECT_FALSE(parse_pg_timestamp(unread, t));
  }
}

} // namespace
} // namespace lastgood
