// verify --due: what the policy picks, and two verifiers started at once
// never verifying the same backup.

#include "tests/support/run_command.hpp"
#include "tests/support/temp_dir.hpp"

#include <filesystem>
#include <future>
#include <gtest/gtest.h>
#include <map>
#include <nlohmann/json.hpp>

namespace lastgood {
namespace {

namespace fs = std::filesystem;
using nlohmann::json;
using testing::shell_quote;
using testing::TempDir;

class VerifyDue : public ::testing::Test
{
protected:
  void SetUp() override
  {
    if (testing::artifacts_dir().empty())
      GTEST_SKIP() << "LASTGOOD_ARTIFACTS not set (run through ctest)";
    const auto dumps = testing::artifacts_dir() / "repo/dumps";
    for (const char* name : {"shop.dump", "shop-z.dump", "inventory.dump"})
      m_repo.write(name, testing::read_file(dumps / name));
    m_args = "--catalog " + shell_quote((m_home.path() / "catalog.db").string()) + " ";
    ASSERT_EQ(lastgood("repo add r " + shell_quote(m_repo.path().string())).exit_code, 0);
    ASSERT_EQ(lastgood("scan r").exit_code, 0);
  }
  testing::CommandResult lastgood(const std::string& args)
  {
    return testing::run_lastgood(m_args + args);
  }

  TempDir m_home, m_repo;
  std::string m_args;
};

TEST_F(VerifyDue, RestoresEachDatabaseOnceThenOnlyChecksumsThenNothing)
{
  auto first = lastgood("verify --due --json");
  ASSERT_EQ(first.exit_code, 0) << first.out << first.err;
  std::map<std::string, int> levels;
  const auto report = json::parse(first.out);
  for (const auto& run : report["runs"])
    ++levels[run["level"].get<std::string>()];
  EXPECT_EQ(levels["restore"], 2) << "one restore per database (shop, inventory)\n" << first.out;
  EXPECT_EQ(levels["checksum"], 1) << "the other shop dump gets re-hashed\n" << first.out;
  auto second = lastgood("verify --due --json");
  ASSERT_EQ(second.exit_code, 0);
  EXPECT_TRUE(json::parse(second.out)["runs"].empty()) << second.out;
}

TEST_F(VerifyDue, TwoVerifiersAtOnceNeverVerifyTheSameBackup)
{
  auto a = std::async(std::launch::async, [&] { return lastgood("verify --due --json"); });
  auto b = std::async(std::launch::async, [&] { return lastgood("verify --due --json"); });
  auto ra = a.get(), rb = b.get();
  ASSERT_EQ(ra.exit_code, 0) << ra.err;
  ASSERT_EQ(rb.exit_code, 0) << rb.err;
  std::map<std::string, int> verified;
  for (const auto* r : {&ra, &rb}) {
    const auto report = json::parse(r->out);
    for (const auto& run : report["runs"])
      if (run["outcome"] != "skipped") ++verified[run["backup"].get<std::string>()];
  }
  auto history = json::parse(lastgood("history --json").out)["runs"];
  EXPECT_EQ(history.size(), 3u) << "each backup verified by exactly one of the two";
  for (const auto& [id, times] : verified)
    EXPECT_EQ(times, 1) << id;
  EXPECT_EQ(lastgood("backups --json").exit_code, 0) << "catalog still readable";
}

TEST(VerifyDueSlices, SliceMustBeNOfT)
{
  TempDir home;
  const auto catalog = "--catalog " + shell_quote((home.path() / "c.db").string());
  ASSERT_EQ(testing::run_lastgood(catalog + " catalog init").exit_code, 0);
  auto r = testing::run_lastgood(catalog + " verify --due --slice 8/7");
  EXPECT_EQ(r.exit_code, 2) << r.err;
}

} // namespace
} // namespace lastgood
