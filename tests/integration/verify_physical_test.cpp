// Test restores of real base backups (make-artifacts): each is extracted,
// recovered by a real PostgreSQL running as the unprivileged user, checked,
// and thrown away; the row counts are those of the backup's moment, and a
// PITR drill reaches exactly the rows committed before its target, on
// timeline 1 and across the switch to timeline 2 (WAL through wal-fetch,
// including the archive's .gz and .zst segments).

#include "tests/support/run_command.hpp"
#include "tests/support/temp_dir.hpp"

#include <filesystem>
#include <gtest/gtest.h>
#include <map>
#include <nlohmann/json.hpp>

namespace lastgood {
namespace {

namespace fs = std::filesystem;
using nlohmann::json;

class VerifyPhysical : public ::testing::Test
{
protected:
  static void SetUpTestSuite()
  {
    if (testing::artifacts_dir().empty()) return;
    s_home = new testing::TempDir();
    fs::permissions(s_home->path(), fs::perms::owner_all);
    auto add =
        testing::run_lastgood(cat() + " repo add arch " +
                              testing::shell_quote((testing::artifacts_dir() / "repo").string()));
    ASSERT_EQ(add.exit_code, 0) << add.err;
    auto scan = testing::run_lastgood(cat() + " scan -q");
    ASSERT_EQ(scan.exit_code, 0) << scan.err;
  }
  static void TearDownTestSuite()
  {
    delete s_home;
    s_home = nullptr;
  }
  void SetUp() override
  {
    if (testing::artifacts_dir().empty())
      GTEST_SKIP() << "LASTGOOD_ARTIFACTS not set (run through ctest)";
    m_expected = json::parse(testing::read_file(testing::artifacts_dir() / "expected.json"));
  }
  static std::string cat()
  {
    return "--catalog " + testing::shell_quote((s_home->path() / "catalog.db").string());
  }

  // The backup ID of a base backup by its label (= directory name).
  std::string backup_id(const std::string& label)
  {
    auto list = testing::run_lastgood(cat() + " backups --json");
    const auto doc = json::parse(list.out);
    for (const auto& b : doc["backups"])
      if (b["label"].is_string() && b["label"] == label) return b["id"];
    ADD_FAILURE() << "no backup labelled " << label;
    return "";
  }
  json verify(const std::string& args, int expected_exit = 0)
  {
    auto r = testing::run_lastgood(cat() + " verify --json " + args);
    EXPECT_EQ(r.exit_code, expected_exit) << r.out << r.err;
    auto doc = json::parse(r.out, nullptr, false);
    if (doc.is_discarded() || doc["runs"].empty()) {
      ADD_FAILURE() << "no run in: " << r.out << r.err;
      return json::object();
    }
    return doc["runs"][0];
  }
  // shop's counts from a run's "shop.public" rows.
  static std::map<std::string, std::int64_t> shop_counts(const json& run)
  {
    std::map<std::string, std::int64_t> out;
    for (const auto& c : run["row_counts"])
      if (c["schema"] == "shop.public") out[c["table"]] = c["rows"];
    return out;
  }
  static std::map<std::string, std::int64_t> counts(const json& object)
  {
    std::map<std::string, std::int64_t> out;
    for (const auto& [table, rows] : object.items())
      out[table] = rows;
    return out;
  }
  const json& mark(const std::string& name)
  {
    for (const auto& m : m_expected["marks"])
      if (m["name"] == name) return m;
    throw std::runtime_error("no mark " + name);
  }

  static testing::TempDir* s_home;
  json m_expected;
};

testing::TempDir* VerifyPhysical::s_home = nullptr;

TEST_F(VerifyPhysical, PlainBaseBackupRestoresToItsOwnMoment)
{
  auto run = verify(backup_id("plain-1") + " --level restore");
  EXPECT_EQ(run["outcome"], "pass") << run.dump(2);
  EXPECT_EQ(shop_counts(run), counts(m_expected["base_backups"]["plain-1"]["shop_row_counts"]));
  EXPECT_EQ(run["recovery_point"]["stop"], "recovery stopping after reaching consistency")
      << run.dump(2);
  // Recorded in the history with its recovery point.
  auto history =
      json::parse(testing::run_lastgood(cat() + " history --json " + backup_id("plain-1")).out);
  ASSERT_FALSE(history["runs"].empty());
  EXPECT_EQ(history["runs"][0]["level"], "restore");
  EXPECT_EQ(history["runs"][0]["recovery_point"]["consistent_at"],
            run["recovery_point"]["consistent_at"]);
}

// Issue 13: the human output shows the recovery point as fields, not as JSON.
TEST_F(VerifyPhysical, TextOutputShowsTheRecoveryPointReadably)
{
  auto r = testing::run_lastgood(cat() + " verify " + backup_id("plain-1") + " --level restore");
  ASSERT_EQ(r.exit_code, 0) << r.out << r.err;
  EXPECT_EQ(r.out.find('{'), std::string::npos) << "raw JSON in: " << r.out;
  const auto at = r.out.find("    recovery point: ");
  ASSERT_NE(at, std::string::npos) << r.out;
  const std::string line = r.out.substr(at, r.out.find('\n', at) - at);
  EXPECT_NE(line.find("stopped after reaching consistency"), std::string::npos) << line;
  EXPECT_NE(line.find(", consistent at "), std::string::npos) << line;
  EXPECT_EQ(line.find("consistent_at"), std::string::npos) << line;
}

TEST_F(VerifyPhysical, ZstdTarBaseBackupRestoresToItsOwnMoment)
{
  if (!m_expected["base_backups"].contains("tar-zst-1"))
    GTEST_SKIP() << "pg_basebackup made no tar-zst-1";
  auto run = verify(backup_id("tar-zst-1") + " --level restore");
  EXPECT_EQ(run["outcome"], "pass") << run.dump(2);
  EXPECT_EQ(shop_counts(run), counts(m_expected["base_backups"]["tar-zst-1"]["shop_row_counts"]));
}

TEST_F(VerifyPhysical, PitrDrillOnTimelineOneReachesExactlyTheCommittedRows)
{
  // From plain-1 through the archive's .gz and .zst segments to just after the
  // commits of mark after-tar-1; the next mark's commits come later.
  const auto& target = mark("after-tar-1");
  auto run =
      verify(backup_id("plain-1") + " --level pitr --target-time " + std::string(target["time"]));
  EXPECT_EQ(run["outcome"], "pass") << run.dump(2);
  EXPECT_EQ(run["level"], "pitr");
  EXPECT_EQ(shop_counts(run), counts(target["shop_row_counts"]));
  EXPECT_NE(
      std::string(run["recovery_point"].value("stop", "")).find("recovery stopping before commit"),
      std::string::npos)
      << run["recovery_point"].dump();
}

TEST_F(VerifyPhysical, PitrDrillFollowsTheSwitchToTimelineTwo)
{
  const auto& target = mark("tli2-1");
  ASSERT_EQ(target["timeline"], 2);
  auto run =
      verify(backup_id("tar-gz-1") + " --level pitr --target-time " + std::string(target["time"]));
  EXPECT_EQ(run["outcome"], "pass") << run.dump(2);
  EXPECT_EQ(shop_counts(run), counts(target["shop_row_counts"]));
  EXPECT_EQ(run["recovery_point"]["new_timeline"], 3)
      << "recovery ended on timeline 2" << run.dump(2);
}

TEST_F(VerifyPhysical, PitrNeedsATargetTime)
{
  auto r = testing::run_lastgood(cat() + " verify --level pitr " + backup_id("plain-1"));
  EXPECT_EQ(r.exit_code, 2) << r.out << r.err;
}

} // namespace
} // namespace lastgood
