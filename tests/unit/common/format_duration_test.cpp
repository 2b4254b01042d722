#include "common/time.hpp"

#include <gtest/gtest.h>

namespace lastgood {
namespace {

using std::chrono::seconds;

TEST(FormatDuration, LargestUnitsFirstAndZeroIsZeroSeconds)
{
  EXPECT_EQ(format_duration(seconds(0)), "0s");
  EXPECT_EQ(format_duration(seconds(90)), "1m30s");
  EXPECT_EQ(format_duration(seconds(36 * 3600)), "1d12h");
  EXPECT_EQ(format_duration(seconds(86400 + 61)), "1d1m1s");
}

TEST(FormatDuration, NegativeDurationsKeepTheirSign)
{
  EXPECT_EQ(format_duration(seconds(-60)), "-1m");
  EXPECT_EQ(format_duration(seconds(-3601)), "-1h1s");
}

} // namespace
} // namespace lastgood
