// Sources (docs/sources.md) over real pg_dump output and the real binary: the
// same database `shop` dumped from two servers (two repositories with
// different sources) is two scopes in `backups`, `pick`, `verify --due`,
// retention, the report and the metrics; `pick --database shop` refuses to
// merge them (exit 2). A plain dump without -C named shop-20261103T0200.sql
// is database `shop`, and `pick --database shop` offers it once verified.

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
using testing::shell_quote;

// A repository directory holding a copy of a fixture dump, readable by the
// scratch cluster's OS user when the tests run as root.
fs::path repository_with(const testing::TempDir& home, const std::string& name,
                         const std::string& artifact, const std::string& file_name)
{
  auto repo = home.path() / name;
  fs::create_directories(repo);
  fs::copy_file(testing::artifacts_dir() / artifact, repo / file_name);
  fs::permissions(repo, fs::perms::all);
  fs::permissions(repo / file_name,
                  fs::perms::owner_read | fs::perms::group_read | fs::perms::others_read);
  return repo;
}

class SourcesTest : public ::testing::Test
{
protected:
  // One catalog for the suite: the two test restores are the slow part.
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
    fs::permissions(s_home->path(), fs::perms::all);
    auto eu = repository_with(*s_home, "eu", "repo/dumps/shop.dump", "shop.dump");
    auto us = repository_with(*s_home, "us", "repo/dumps/shop.dump", "shop.dump");
    // One source given to `repo add`, the other by the configuration file.
    s_home->write("config.toml", "[[repository]]\nname = \"us\"\nurl = \"" + us.string() +
                                     "\"\nsource = \"prod-us\"\n");
    s_setup = {};
    // verify --due restore-tests each source's shop: grouped by name alone,
    // one of them would never be due.
    for (const auto& args : {"repo add eu " + shell_quote(eu.string()) + " --source prod-eu",
                             std::string("scan"), std::string("verify --due")}) {
      auto r = lg(args);
      if (r.exit_code != 0) {
        s_setup = args + " exited " + std::to_string(r.exit_code) + ": " + r.err + r.out;
        return;
      }
    }
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
  static testing::CommandResult lg(const std::string& args)
  {
    return testing::run_lastgood(
        "--catalog " + shell_quote((s_home->path() / "catalog.db").string()) + " --config " +
        shell_quote((s_home->path() / "config.toml").string()) + " " + args);
  }
  // backup ID by repository name
  static std::map<std::string, json> backups_by_repository()
  {
    auto r = lg("backups --json");
    EXPECT_EQ(r.exit_code, 0) << r.err;
    std::map<std::string, json> out;
    const auto doc = json::parse(r.out); // kept: a range-for over a temporary's member dangles
    for (const auto& b : doc["backups"])
      out[b["repository"].get<std::string>()] = b;
    return out;
  }

  static inline testing::TempDir* s_home = nullptr;
  static inline std::string s_setup = "not prepared";
};

TEST_F(SourcesTest, BackupsCarryTheirRepositorysSourceAndBothAreRestoreTested)
{
  auto backups = backups_by_repository();
  ASSERT_EQ(backups.size(), 2u);
  EXPECT_EQ(backups["eu"]["source"], "prod-eu");
  EXPECT_EQ(backups["us"]["source"], "prod-us");
  for (const auto& [repo, b] : backups) {
    EXPECT_EQ(b["database"], "shop") << repo;
    EXPECT_EQ(b["status"], "good") << repo << ": verify --due must restore-test each source's shop";
  }
  auto text = lg("backups");
  ASSERT_EQ(text.exit_code, 0) << text.err;
  EXPECT_NE(text.out.find("prod-eu/shop"), std::string::npos) << text.out;
  EXPECT_NE(text.out.find("prod-us/shop"), std::string::npos) << text.out;

  auto only_eu = lg("backups --source prod-eu --json");
  ASSERT_EQ(only_eu.exit_code, 0) << only_eu.err;
  auto listed = json::parse(only_eu.out)["backups"];
  ASSERT_EQ(listed.size(), 1u) << listed.dump(2);
  EXPECT_EQ(listed[0]["id"], backups["eu"]["id"]);
  auto none = lg("backups --source default --json");
  ASSERT_EQ(none.exit_code, 0) << none.err;
  EXPECT_TRUE(json::parse(none.out)["backups"].empty()) << none.out;

  auto repos = lg("repo list --json");
  ASSERT_EQ(repos.exit_code, 0) << repos.err;
  std::map<std::string, json> sources;
  const auto repo_list = json::parse(repos.out);
  for (const auto& r : repo_list)
    sources[r["name"].get<std::string>()] = r["source"];
  EXPECT_EQ(sources["eu"], "prod-eu");
  EXPECT_EQ(sources["us"], "prod-us") << "registered from the configuration file with its source";
}

TEST_F(SourcesTest, PickTakesTheNamedSourceAndRefusesToMergeTwo)
{
  auto backups = backups_by_repository();
  for (const std::string repo : {"eu", "us"}) {
    auto r = lg("pick --source prod-" + repo + " --database shop --json");
    ASSERT_EQ(r.exit_code, 0) << r.out << r.err;
    EXPECT_EQ(json::parse(r.out)["backup"]["id"], backups[repo]["id"]) << repo;
  }
  auto text = lg("pick --source prod-eu --database shop");
  ASSERT_EQ(text.exit_code, 0) << text.err;
  EXPECT_NE(text.out.find("source     prod-eu"), std::string::npos) << text.out;

  auto merged = lg("pick --database shop");
  EXPECT_EQ(merged.exit_code, 2) << merged.out << merged.err;
  EXPECT_TRUE(merged.out.empty()) << merged.out;
  EXPECT_NE(merged.err.find("prod-eu, prod-us"), std::string::npos) << merged.err;
  EXPECT_NE(merged.err.find("--source"), std::string::npos) << merged.err;

  auto restore = lg("restore --last-good --database shop --to 'dbname=nowhere' --dry-run");
  EXPECT_EQ(restore.exit_code, 2) << restore.out << restore.err;
  EXPECT_NE(restore.err.find("prod-eu, prod-us"), std::string::npos) << restore.err;

  auto drill = lg("drill --database shop");
  EXPECT_EQ(drill.exit_code, 2) << drill.out << drill.err;
  EXPECT_NE(drill.err.find("prod-eu, prod-us"), std::string::npos) << drill.err;

  auto default_source = lg("pick --source default --database shop");
  EXPECT_EQ(default_source.exit_code, 3)
      << "the default source holds no shop: " << default_source.err;
}

TEST_F(SourcesTest, ReportMetricsAndRetentionHaveOneScopePerSource)
{
  auto report = lg("report --format json");
  ASSERT_NE(report.out, "") << report.err;
  std::map<std::string, json> scopes;
  const auto doc = json::parse(report.out);
  for (const auto& s : doc["scopes"]) {
    if (s["kind"] != "database") continue;
    EXPECT_EQ(s["name"], "shop");
    scopes[s["source"].is_null() ? "default" : s["source"].get<std::string>()] = s;
  }
  ASSERT_EQ(scopes.size(), 2u) << report.out;
  EXPECT_TRUE(scopes.count("prod-eu"));
  EXPECT_TRUE(scopes.count("prod-us"));

  auto text = lg("report");
  EXPECT_NE(text.out.find("database prod-eu/shop"), std::string::npos) << text.out;
  EXPECT_NE(text.out.find("database prod-us/shop"), std::string::npos) << text.out;

  auto metrics = lg("metrics");
  ASSERT_EQ(metrics.exit_code, 0) << metrics.err;
  EXPECT_NE(metrics.out.find("lastgood_backups{kind=\"database\",name=\"prod-eu/shop\"} 1\n"),
            std::string::npos)
      << metrics.out;
  EXPECT_NE(metrics.out.find("lastgood_backups{kind=\"database\",name=\"prod-us/shop\"} 1\n"),
            std::string::npos)
      << metrics.out;

  // Each source's only good dump is its own last known good: both are kept.
  auto plan = lg("retention plan");
  ASSERT_EQ(plan.exit_code, 0) << plan.err;
  EXPECT_NE(plan.out.find("last known good backup of database prod-eu/shop"), std::string::npos)
      << plan.out;
  EXPECT_NE(plan.out.find("last known good backup of database prod-us/shop"), std::string::npos)
      << plan.out;
}

TEST(PlainDumpName, StampedPlainDumpIsItsDatabaseAndPickedOnceVerified)
{
  if (testing::artifacts_dir().empty())
    GTEST_SKIP() << "LASTGOOD_ARTIFACTS not set (run through ctest)";
  testing::TempDir home;
  fs::permissions(home.path(), fs::perms::all);
  // The fixture's shop.sql is pg_dump -Fp without -C: it names no database.
  auto repo = repository_with(home, "nightly", "repo/dumps/shop.sql", "shop-20261103T0200.sql");
  auto lg = [&](const std::string& args) {
    return testing::run_lastgood("--catalog " + shell_quote((home.path() / "catalog.db").string()) +
                                 " " + args);
  };
  ASSERT_EQ(lg("repo add nightly " + shell_quote(repo.string())).exit_code, 0);
  auto scan = lg("scan");
  ASSERT_EQ(scan.exit_code, 0) << scan.out << scan.err;
  auto listed = lg("backups --database shop --json");
  ASSERT_EQ(listed.exit_code, 0) << listed.err;
  auto backups = json::parse(listed.out)["backups"];
  ASSERT_EQ(backups.size(), 1u) << lg("backups").out;
  EXPECT_EQ(backups[0]["format"], "plain");
  EXPECT_EQ(backups[0]["database"], "shop");
  EXPECT_TRUE(backups[0]["source"].is_null());
  const auto id = backups[0]["id"].get<std::string>();

  auto before = lg("pick --database shop");
  EXPECT_EQ(before.exit_code, 3) << before.out << before.err;
  EXPECT_NE(before.err.find(id), std::string::npos)
      << "named as the newest unverified: " << before.err;

  auto verified = lg("verify " + id + " --level restore");
  ASSERT_EQ(verified.exit_code, 0) << verified.out << verified.err;
  auto picked = lg("pick --database shop --json");
  ASSERT_EQ(picked.exit_code, 0) << picked.out << picked.err;
  EXPECT_EQ(json::parse(picked.out)["backup"]["id"], id);
}

} // namespace
} // namespace lastgood
