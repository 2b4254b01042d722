// The compliance report over a real catalog: a real pg_dump of shop, scanned
// and test-restored by `lastgood verify`. Its verdict flips from OK to FAIL
// (exit 0 -> 3) when the backup ages past the RPO; the HTML page is
// self-contained and renders in headless Chromium.

#include "catalog/catalog.hpp"
#include "common/time.hpp"
#include "tests/support/run_command.hpp"
#include "tests/support/temp_dir.hpp"

#include <chrono>
#include <filesystem>
#include <gtest/gtest.h>
#include <map>
#include <nlohmann/json.hpp>
#include <regex>

namespace lastgood {
namespace {

namespace fs = std::filesystem;
using nlohmann::json;
using testing::shell_quote;

class ReportTest : public ::testing::Test
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
    s_home->write("config.toml",
                  "[compliance]\nrpo = \"1d\"\nverified_within = \"7d\"\nrto = \"1h\"\n");
    s_setup = {};
    for (const auto& args : {std::string("repo add nightly ") + shell_quote(repo.string()),
                             std::string("scan"), std::string("verify --level restore")}) {
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
  static TimePoint backup_time()
  {
    auto r = lg("backups --json");
    auto doc = json::parse(r.out);
    const auto& backups = doc.is_array() ? doc : doc.at("backups");
    return parse_rfc3339(backups.at(0).at("stop_time").get<std::string>());
  }
  static const json& item(const json& report, const std::string& name)
  {
    for (const auto& i : report.at("scopes").at(0).at("items"))
      if (i.at("item") == name) return i;
    throw std::runtime_error("no item " + name);
  }

  static inline testing::TempDir* s_home = nullptr;
  static inline std::string s_setup;
};

TEST_F(ReportTest, VerdictFlipsWhenTheBackupAgesPastTheRpo)
{
  const auto taken = backup_time();
  auto fresh = lg("report --json --as-of " + format_rfc3339(taken + std::chrono::hours(2)));
  ASSERT_EQ(fresh.exit_code, 0) << fresh.err << fresh.out;
  auto doc = json::parse(fresh.out);
  EXPECT_EQ(doc.at("overall"), "OK") << doc.dump(2);
  ASSERT_EQ(doc.at("scopes").size(), 1u);
  EXPECT_EQ(doc.at("scopes").at(0).at("name"), "shop");
  EXPECT_EQ(item(doc, "backup_age").at("verdict"), "OK");
  EXPECT_EQ(item(doc, "restore_tested").at("verdict"), "OK");
  // The test restore is a measured restore, well inside the 1h RTO.
  EXPECT_EQ(item(doc, "restore_duration").at("verdict"), "OK")
      << item(doc, "restore_duration").dump();
  EXPECT_EQ(doc.at("scopes").at(0).at("facts").at("restore_seconds").size(), 1u);

  auto warn = lg("report --json --as-of " + format_rfc3339(taken + std::chrono::hours(21)));
  EXPECT_EQ(warn.exit_code, 0) << warn.err;
  EXPECT_EQ(item(json::parse(warn.out), "backup_age").at("verdict"), "WARN");

  auto stale = lg("report --json --as-of " + format_rfc3339(taken + std::chrono::hours(25)));
  EXPECT_EQ(stale.exit_code, 3) << stale.err << stale.out;
  auto stale_doc = json::parse(stale.out);
  EXPECT_EQ(stale_doc.at("overall"), "FAIL");
  EXPECT_EQ(item(stale_doc, "backup_age").at("verdict"), "FAIL");
  EXPECT_EQ(item(stale_doc, "restore_tested").at("verdict"), "OK");

  // Text form: one verdict line per item and the overall line.
  auto text = lg("report --as-of " + format_rfc3339(taken + std::chrono::hours(25)));
  EXPECT_EQ(text.exit_code, 3);
  EXPECT_TRUE(std::regex_search(text.out, std::regex("\n  FAIL  backup_age +newest backup")))
      << text.out;
  EXPECT_NE(text.out.find("overall: FAIL"), std::string::npos) << text.out;
}

TEST_F(ReportTest, AsOfBeforeTheBackupSeesNoBackup)
{
  auto r = lg("report --json --as-of " + format_rfc3339(backup_time() - std::chrono::hours(1)));
  EXPECT_EQ(r.exit_code, 3) << r.err;
  EXPECT_EQ(json::parse(r.out).at("scopes").size(), 0u) << r.out;
}

TEST_F(ReportTest, BadOptionsAreUsageErrors)
{
  EXPECT_EQ(lg("report --as-of yesterday").exit_code, 2);
  EXPECT_EQ(lg("report --format pdf").exit_code, 2);
  EXPECT_EQ(lg("report --period forever").exit_code, 2);
}

TEST_F(ReportTest, MarkdownAndOutputFile)
{
  auto out = s_home->path() / "report.md";
  auto r = lg("report --format markdown --output " + shell_quote(out.string()) + " --as-of " +
              format_rfc3339(backup_time() + std::chrono::hours(1)));
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_TRUE(r.out.empty());
  auto md = testing::read_file(out);
  EXPECT_NE(md.find("## database shop: OK"), std::string::npos) << md;
  EXPECT_NE(md.find("| OK | backup_age |"), std::string::npos) << md;
}

TEST_F(ReportTest, HtmlIsSelfContainedAndRendersInHeadlessChromium)
{
  auto html_path = s_home->path() / "report.html";
  auto r = lg("report --format html --output " + shell_quote(html_path.string()) + " --as-of " +
              format_rfc3339(backup_time() + std::chrono::hours(30)));
  EXPECT_EQ(r.exit_code, 3) << r.err;
  auto html = testing::read_file(html_path);
  EXPECT_NE(html.find("<svg"), std::string::npos);
  EXPECT_NE(html.find("<circle"), std::string::npos);
  EXPECT_NE(html.find("no backup for 1d6h"),
            std::string::npos); // the gap past the RPO on the timeline
  EXPECT_FALSE(std::regex_search(html, std::regex(R"(<[^>]*\s(src|href)\s*=)", std::regex::icase)));
  EXPECT_FALSE(std::regex_search(html, std::regex(R"(https?://)", std::regex::icase)));
  EXPECT_EQ(html.find("<link"), std::string::npos);
  EXPECT_EQ(html.find("<script"), std::string::npos);

  auto which = testing::run_shell("command -v chromium");
  ASSERT_EQ(which.exit_code, 0)
      << "chromium is not installed: run scripts/setup-deps (Debian package chromium)";
  auto png = s_home->path() / "report.png";
  auto shot = testing::run_shell(
      "timeout 120 chromium --headless --no-sandbox --disable-gpu --hide-scrollbars --screenshot=" +
      shell_quote(png.string()) + " --window-size=1280,2000 " +
      shell_quote("file://" + html_path.string()));
  EXPECT_EQ(shot.exit_code, 0) << shot.err;
  ASSERT_TRUE(fs::exists(png)) << shot.err;
  EXPECT_GT(fs::file_size(png), 10000u);
  auto bytes = testing::read_file(png);
  EXPECT_EQ(bytes.substr(1, 3), "PNG");
}

} // namespace
} // namespace lastgood

namespace lastgood {
namespace {

// Holds and deletions as the retention helper records them (rows written
// here through SQL): a deletion under an active hold is a FAIL, and the
// audit events of the period are listed.
TEST(ReportHoldsTest, DeletionUnderAnActiveHoldFails)
{
  if (testing::artifacts_dir().empty())
    GTEST_SKIP() << "LASTGOOD_ARTIFACTS not set (run through ctest)";
  testing::TempDir home;
  auto repo = home.path() / "repo";
  fs::create_directories(repo);
  for (const char* name : {"kept.dump", "deleted.dump"})
    fs::copy_file(testing::artifacts_dir() / "repo/dumps/shop.dump", repo / name);
  const auto catalog_path = (home.path() / "catalog.db").string();
  auto lg = [&](const std::string& args) {
    return testing::run_lastgood("--catalog " + shell_quote(catalog_path) + " " + args);
  };
  ASSERT_EQ(lg("repo add r " + shell_quote(repo.string())).exit_code, 0);
  ASSERT_EQ(lg("scan").exit_code, 0);
  {
    auto catalog = catalog::Catalog::open(catalog_path);
    auto& db = catalog->db();
    db.exec("INSERT INTO holds (backup_id, reason, created_by, created_at) SELECT id, 'litigation "
            "<2026-17>', 'auditor',"
            " '2026-01-01T00:00:00Z' FROM backups WHERE root_key = 'kept.dump'");
    db.exec("INSERT INTO holds (backup_id, reason, created_by, created_at) SELECT id, 'tax audit', "
            "'auditor',"
            " '2026-01-01T00:00:00Z' FROM backups WHERE root_key = 'deleted.dump'");
    auto deleted_at = format_rfc3339(now_seconds() - std::chrono::hours(24));
    auto s = db.prepare("UPDATE backups SET deleted_at = ? WHERE root_key = 'deleted.dump'");
    s.bind(1, deleted_at);
    s.run();
    auto a = db.prepare("INSERT INTO audit_log (at, actor, action, subject, severity) VALUES (?, "
                        "'root', ?, ?, 'warning')");
    a.bind_all(deleted_at, "retention.delete_backup", "deleted.dump");
    a.run();
  }
  auto r = lg("report --json");
  EXPECT_EQ(r.exit_code, 3) << r.err;
  auto doc = json::parse(r.out);
  ASSERT_EQ(doc.at("scopes").size(), 1u) << doc.dump(2);
  std::map<std::string, json> items;
  for (const auto& i : doc.at("scopes").at(0).at("items"))
    items[i.at("item")] = i;
  EXPECT_EQ(items.at("deletions").at("verdict"), "FAIL") << items.at("deletions");
  EXPECT_NE(
      items.at("deletions").at("summary").get<std::string>().find("1 of them under an active hold"),
      std::string::npos);
  EXPECT_EQ(items.at("holds").at("verdict"), "FAIL")
      << items.at("holds"); // one hold is on the deleted backup
  EXPECT_EQ(doc.at("scopes").at(0).at("facts").at("backups").size(), 1u);
  ASSERT_EQ(doc.at("events").size(), 1u);
  EXPECT_EQ(doc.at("events").at(0).at("action"), "retention.delete_backup");
  auto html = lg("report --format html");
  EXPECT_NE(html.out.find("litigation &lt;2026-17&gt;"), std::string::npos);
}

} // namespace
} // namespace lastgood
