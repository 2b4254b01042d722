// UsableSegments: the in-memory answer to "which segment is missing first".

#include "catalog/usable_segments.hpp"

#include <gtest/gtest.h>

namespace lastgood::catalog {
namespace {

TEST(UsableSegmentsTest, IslandsMergeRepeatsAndNeighbours)
{
  auto islands = islands_of({1, 2, 2, 3, 5, 7, 8});
  ASSERT_EQ(islands.size(), 3u);
  EXPECT_EQ(islands[0], std::make_pair(std::uint64_t{1}, std::uint64_t{3}));
  EXPECT_EQ(islands[1], std::make_pair(std::uint64_t{5}, std::uint64_t{5}));
  EXPECT_EQ(islands[2], std::make_pair(std::uint64_t{7}, std::uint64_t{8}));
  EXPECT_TRUE(islands_of({}).empty());
}

TEST(UsableSegmentsTest, FirstMissingLooksOnlyAtTheAskedTimelineAndRange)
{
  UsableSegments usable;
  usable.set(1, islands_of({1, 2, 3, 5, 7, 8}));
  EXPECT_EQ(usable.first_missing(1, 1, 3), std::nullopt);
  EXPECT_EQ(usable.first_missing(1, 1, 4), 4u);
  EXPECT_EQ(usable.first_missing(1, 4, 8), 4u);
  EXPECT_EQ(usable.first_missing(1, 5, 7), 6u);
  EXPECT_EQ(usable.first_missing(1, 7, 8), std::nullopt);
  EXPECT_EQ(usable.first_missing(1, 0, 2), 0u);
  EXPECT_EQ(usable.first_missing(1, 9, 9), 9u);
  EXPECT_EQ(usable.first_missing(2, 1, 1), 1u);           // no such timeline
  EXPECT_EQ(usable.first_missing(1, 3, 2), std::nullopt); // empty range
  EXPECT_TRUE(usable.has(1, 5));
  EXPECT_FALSE(usable.has(1, 6));
  EXPECT_FALSE(usable.has(2, 5));
}

} // namespace
} // namespace lastgood::catalog
