// The names a restore gives databases on the target server: always within
// PostgreSQL's 63 bytes, never cutting a UTF-8 character, always carrying the
// run id; and how connected sessions are described in a refusal.

#include "restore/target_server.hpp"

#include <gtest/gtest.h>

namespace lastgood::restore {
namespace {

TEST(DatabaseNames, SuffixesNameTheRun)
{
  EXPECT_EQ(temporary_database_name("shop", 7), "shop__lastgood_7");
  EXPECT_EQ(aside_database_name("shop", 7), "shop__lastgood_old_7");
  EXPECT_EQ(rolled_back_database_name("shop", 7), "shop__lastgood_rolledback_7");
}

TEST(DatabaseNames, LongNamesAreCutToFitWithoutSplittingACharacter)
{
  const std::string long_name(60, 'a');
  auto aside = aside_database_name(long_name, 123456);
  EXPECT_EQ(aside.size(), kMaxDatabaseName);
  EXPECT_TRUE(aside.ends_with("__lastgood_old_123456")) << aside;

  // 'é' is two bytes; a cut through it must drop the whole character.
  std::string accented;
  for (int i = 0; i < 30; ++i)
    accented += "\xc3\xa9";
  auto rolled = rolled_back_database_name(accented, 42);
  EXPECT_LE(rolled.size(), kMaxDatabaseName);
  const auto base = rolled.substr(0, rolled.find("__lastgood_"));
  EXPECT_EQ(base.size() % 2, 0u) << rolled;
  EXPECT_TRUE(rolled.ends_with("__lastgood_rolledback_42")) << rolled;
}

TEST(DatabaseNames, SessionsAreDescribedByCountUsersApplicationsAndPids)
{
  std::vector<Session> sessions(3);
  sessions[0] = {101, "app", "shop-web", "10.0.0.5"};
  sessions[1] = {102, "app", "shop-web", "10.0.0.6"};
  sessions[2] = {103, "batch", "", "local"};
  EXPECT_EQ(describe_sessions(sessions),
            "3 sessions (users app, batch; applications shop-web, -; pids 101, 102, 103)");
  EXPECT_EQ(describe_sessions({sessions[2]}), "1 session (users batch; applications -; pids 103)");
}

} // namespace
} // namespace lastgood::restore
