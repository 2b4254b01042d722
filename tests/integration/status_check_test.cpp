// `lastgood status` and `lastgood check` through the real binary, over a real
// catalog: a real pg_dump of shop, scanned and test-restored by `lastgood
// verify`. Both follow the report's verdict: OK (exit 0, plugin OK), past a
// 1 s RPO FAIL (status exit 3, plugin CRITICAL exit 2); a missing catalog or
// a broken configuration is the plugin's UNKNOWN (exit 3).

#include "tests/support/run_command.hpp"
#include "tests/support/temp_dir.hpp"

#include <chrono>
#include <filesystem>
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>
#include <thread>

namespace lastgood {
namespace {

namespace fs = std::filesystem;
using nlohmann::json;
using testing::shell_quote;

class StatusCheckTest : public ::testing::Test
{
protected:
  // One catalog for the suite: the test restore is the slow part.
  static void SetUpTestSuite()
  {
    try {
      prepare();
    } catch (const std::exception& e) {
      s_setup = std::string("suite set-up failed: ") + e.what();
    }
  }
  static void prepare()
  {
    if (testing::artifacts_dir().empty()) return;
    s_home = new testing::TempDir();
    auto repo = s_home->path() / "repo";
    fs::create_directories(repo);
    fs::copy_file(testing::artifacts_dir() / "repo/dumps/shop.dump", repo / "shop.dump");
    // Readable by the scratch cluster's OS user when the tests run as root.
    fs::permissions(s_home->path(), fs::perms::all);
    fs::permissions(repo, fs::perms::all);
    fs::permissions(repo / "shop.dump",
                    fs::perms::owner_read | fs::perms::group_read | fs::perms::others_read);
    // The fixture dump may be days old: targets wide enough that only the tight one fails.
    s_home->write("config.toml", "[compliance]\nrpo = \"3650d\"\nverified_within = \"7d\"\n");
    s_home->write("tight.toml", "[compliance]\nrpo = \"1s\"\nverified_within = \"7d\"\n");
    s_setup = {};
    for (const auto& args : {std::string("repo add nightly ") + shell_quote(repo.string()),
                             std::string("scan"), std::string("verify --level restore")}) {
      auto r = lg(args);
      if (r.exit_code != 0) {
        s_setup = args + " exited " + std::to_string(r.exit_code) + ": " + r.err + r.out;
        return;
      }
    }
    auto listed = json::parse(lg("backups --json").out);
    const auto& backups = listed.is_array() ? listed : listed.at("backups");
    s_backup_id = backups.at(0).at("id").get<std::string>();
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
    ASSERT_TRUE(s_setup.empty()) << s_setup;
  }
  static testing::CommandResult lg(const std::string& args,
                                   const std::string& config = "config.toml")
  {
    return testing::run_lastgood(
        "--catalog " + shell_quote((s_home->path() / "catalog.db").string()) + " --config " +
        shell_quote((s_home->path() / config).string()) + " " + args);
  }

  static inline testing::TempDir* s_home = nullptr;
  static inline std::string s_setup;
  static inline std::string s_backup_id;
};

TEST_F(StatusCheckTest, HealthyCatalogIsStatusOkAndPluginOk)
{
  auto status = lg("status");
  EXPECT_EQ(status.exit_code, 0) << status.err << status.out;
  EXPECT_NE(status.out.find("database shop: OK"), std::string::npos) << status.out;
  EXPECT_NE(status.out.find("newest backup       " + s_backup_id), std::string::npos) << status.out;
  EXPECT_NE(status.out.find("newest restorable   " + s_backup_id), std::string::npos) << status.out;
  EXPECT_NE(status.out.find("problems            none"), std::string::npos) << status.out;

  auto doc_run = lg("status --json");
  EXPECT_EQ(doc_run.exit_code, 0) << doc_run.err;
  auto doc = json::parse(doc_run.out);
  EXPECT_EQ(doc.at("overall"), "OK");
  ASSERT_EQ(doc.at("scopes").size(), 1u);
  EXPECT_EQ(doc.at("scopes").at(0).at("newest_backup").at("backup_id"), s_backup_id);
  EXPECT_EQ(doc.at("scopes").at(0).at("newest_backup").at("state"), "good");
  EXPECT_EQ(doc.at("scopes").at(0).at("last_test_restore").at("backup_id"), s_backup_id);

  auto check = lg("check");
  EXPECT_EQ(check.exit_code, 0) << check.err << check.out;
  EXPECT_EQ(check.out.rfind("LASTGOOD OK - 1 scope(s) OK | 'shop_backup_age'=", 0), 0u)
      << check.out;
  EXPECT_NE(check.out.find("'shop_bad_backups'=0;;0;0"), std::string::npos) << check.out;
}

TEST_F(StatusCheckTest, PastTheRpoStatusExitsThreeAndPluginIsCritical)
{
  // The backup is at least 2 s old, past an RPO of 1 s.
  std::this_thread::sleep_for(std::chrono::seconds(2));
  auto check = lg("check", "tight.toml");
  EXPECT_EQ(check.exit_code, 2) << check.err << check.out;
  EXPECT_EQ(check.out.rfind("LASTGOOD CRITICAL - 1 of 1 FAIL: shop (backup_age) |", 0), 0u)
      << check.out;
  EXPECT_NE(check.out.find(";0;1;0 "), std::string::npos) << check.out; // RPO 1 s: warn 0, crit 1
  EXPECT_NE(
      check.out.find("\nFAIL database shop backup_age: newest backup not known bad " + s_backup_id),
      std::string::npos)
      << check.out;

  auto status = lg("status", "tight.toml");
  EXPECT_EQ(status.exit_code, 3) << status.err << status.out;
  EXPECT_NE(status.out.find("database shop: FAIL"), std::string::npos) << status.out;
  EXPECT_NE(status.out.find("problems            FAIL backup_age: "), std::string::npos)
      << status.out;
}

TEST_F(StatusCheckTest, SourceNarrowsAndAnUnknownSourceIsAUsageError)
{
  auto def = lg("status --source default --json");
  EXPECT_EQ(def.exit_code, 0) << def.err;
  EXPECT_EQ(json::parse(def.out).at("scopes").size(), 1u);
  auto other = lg("status --source prod-eu");
  EXPECT_EQ(other.exit_code, 2) << other.out;
  EXPECT_NE(other.err.find("no database of source 'prod-eu'"), std::string::npos) << other.err;
}

TEST_F(StatusCheckTest, PluginIsUnknownWhenItCannotJudge)
{
  auto missing = testing::run_lastgood(
      "--catalog " + shell_quote((s_home->path() / "nowhere.db").string()) + " check");
  EXPECT_EQ(missing.exit_code, 3) << missing.err;
  EXPECT_EQ(missing.out.rfind("LASTGOOD UNKNOWN - no catalog at ", 0), 0u) << missing.out;
  EXPECT_FALSE(fs::exists(s_home->path() / "nowhere.db"));

  s_home->write("broken.toml", "[compliance]\nrpo = \"soon\"\n");
  auto broken = lg("check", "broken.toml");
  EXPECT_EQ(broken.exit_code, 3) << broken.err;
  EXPECT_EQ(broken.out.rfind("LASTGOOD UNKNOWN - ", 0), 0u) << broken.out;
  EXPECT_NE(broken.out.find("rpo"), std::string::npos) << broken.out;
}

} // namespace
} // namespace lastgood
