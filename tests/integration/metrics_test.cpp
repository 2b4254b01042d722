// `lastgood metrics` over a real catalog (the whole artifact repository:
// dumps, base backups, the WAL archive across a timeline switch, and one real
// test restore) passes `promtool check metrics`; the alert rules pass
// `promtool check rules`; the Grafana dashboard only uses metrics we emit.

#include "tests/support/run_command.hpp"
#include "tests/support/temp_dir.hpp"

#include <cstdlib>
#include <filesystem>
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>
#include <regex>
#include <set>

namespace lastgood {
namespace {

namespace fs = std::filesystem;
using nlohmann::json;
using testing::shell_quote;

class MetricsTest : public ::testing::Test
{
protected:
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
    for (const auto& args :
         {"repo add artifacts " + shell_quote((testing::artifacts_dir() / "repo").string()),
          std::string("scan")}) {
      auto r = lg(args);
      if (r.exit_code != 0) {
        s_setup = args + " exited " + std::to_string(r.exit_code) + ": " + r.err;
        return;
      }
    }
    // One real test restore, so the restore_* metrics count something.
    auto list = json::parse(lg("backups --json --database inventory").out);
    auto id = list.at("backups").at(0).at("id").get<std::string>();
    auto v = lg("verify " + id + " --level restore");
    if (v.exit_code != 0)
      s_setup = "verify exited " + std::to_string(v.exit_code) + ": " + v.err + v.out;
    s_metrics = s_home->path() / "lastgood.prom";
    auto m = lg("metrics --output " + shell_quote(s_metrics.string()));
    if (m.exit_code != 0) s_setup = "metrics exited " + std::to_string(m.exit_code) + ": " + m.err;
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
        "--catalog " + shell_quote((s_home->path() / "catalog.db").string()) + " " + args);
  }
  static void require_promtool()
  {
    ASSERT_EQ(testing::run_shell("command -v promtool").exit_code, 0)
        << "promtool is not installed: run scripts/setup-deps (Debian package prometheus)";
  }
  // The metric families `metrics` wrote (from its # TYPE lines).
  static std::set<std::string> emitted_families()
  {
    std::set<std::string> names;
    std::regex type_line(R"(# TYPE (\S+) \S+)");
    auto text = testing::read_file(s_metrics);
    for (std::sregex_iterator it(text.begin(), text.end(), type_line), end; it != end; ++it)
      names.insert((*it)[1]);
    return names;
  }
  // Every restore_* / lastgood_* name an expression uses must be emitted.
  static void expect_known_metrics(const std::string& expr, const std::set<std::string>& known)
  {
    std::regex name(R"(\b((restore|lastgood)_[a-z_]+))");
    int found = 0;
    for (std::sregex_iterator it(expr.begin(), expr.end(), name), end; it != end; ++it) {
      std::string n = (*it)[1];
      for (const char* suffix : {"_bucket", "_sum", "_count"})
        if (!known.count(n) && n.size() > std::strlen(suffix) && n.ends_with(suffix))
          n.resize(n.size() - std::strlen(suffix));
      EXPECT_TRUE(known.count(n)) << n << " in " << expr << " is not a metric lastgood emits";
      ++found;
    }
    EXPECT_GT(found, 0) << "no lastgood metric in " << expr;
  }

  static inline testing::TempDir* s_home = nullptr;
  static inline std::string s_setup;
  static inline fs::path s_metrics;
};

TEST_F(MetricsTest, OutputPassesPromtoolCheckMetrics)
{
  require_promtool();
  auto r = testing::run_shell("promtool check metrics < " + shell_quote(s_metrics.string()));
  EXPECT_EQ(r.exit_code, 0) << r.out << r.err;
  EXPECT_TRUE(r.out.empty() && r.err.empty()) << "promtool lint findings: " << r.out << r.err;
}

TEST_F(MetricsTest, ValuesFromTheRealCatalog)
{
  auto text = testing::read_file(s_metrics);
  EXPECT_NE(text.find("\nrestore_verification_total{status=\"pass\"} 1\n"), std::string::npos)
      << text;
  EXPECT_NE(text.find("\nrestore_duration_seconds_count 1\n"), std::string::npos) << text;
  EXPECT_NE(text.find("\nrestore_success_total 1\n"), std::string::npos) << text;
  EXPECT_NE(text.find("\nrestore_in_progress 0\n"), std::string::npos) << text;
  EXPECT_NE(text.find("lastgood_last_good_age_seconds{kind=\"database\",name=\"inventory\"} "),
            std::string::npos);
  EXPECT_NE(text.find("lastgood_last_good_age_seconds{kind=\"database\",name=\"shop\"} +Inf"),
            std::string::npos);
  auto expected = json::parse(testing::read_file(testing::artifacts_dir() / "expected.json"));
  auto sysid = expected.at("system_identifier").get<std::string>();
  EXPECT_NE(text.find("lastgood_wal_gaps{kind=\"cluster\",name=\"" + sysid + "\"} 0\n"),
            std::string::npos)
      << text;
  // The archive carries base backups through the timeline switch: a PITR window exists.
  std::smatch m;
  ASSERT_TRUE(
      std::regex_search(text, m,
                        std::regex("lastgood_pitr_window_seconds\\{kind=\"cluster\",name=\"" +
                                   sysid + "\"\\} (\\d+)")))
      << text;
  EXPECT_GT(std::stoll(m[1]), 0);
  EXPECT_NE(text.find("\nlastgood_objects_missing{kind=\"database\",name=\"shop\"} 0\n"),
            std::string::npos);
}

TEST_F(MetricsTest, PitrWindowFollowsTheWalOntoTheNewestTimeline)
{
  auto r = lg("report --json");
  auto doc = json::parse(r.out);
  for (const auto& scope : doc.at("scopes")) {
    if (scope.at("kind") != "cluster") continue;
    const auto& pitr = scope.at("facts").at("pitr_window");
    ASSERT_TRUE(pitr.is_object()) << pitr;
    EXPECT_EQ(pitr.at("to_timeline"), 2) << pitr; // across the fixture's failover
    EXPECT_EQ(pitr.at("to_segment").get<std::string>().substr(0, 8), "00000002") << pitr;
    EXPECT_GT(pitr.at("seconds").get<long long>(), 0) << pitr;
    return;
  }
  FAIL() << "no cluster in the report: " << r.out;
}

TEST_F(MetricsTest, AlertRulesPassPromtoolAndUseOurMetrics)
{
  require_promtool();
  auto rules = testing::source_dir() / "docs/prometheus/lastgood-alerts.yml";
  auto r = testing::run_shell("promtool check rules " + shell_quote(rules.string()));
  EXPECT_EQ(r.exit_code, 0) << r.out << r.err;
  EXPECT_NE(r.out.find("SUCCESS"), std::string::npos) << r.out;
  auto text = testing::read_file(rules);
  for (const char* alert : {"RestoreFailure", "RestoreVerificationFailure", "LongRunningRestore",
                            "MultipleRestoresInProgress", "HighRestoreFailureRate", "BackupTooOld",
                            "NoRecentGoodBackup", "WalGap"})
    EXPECT_NE(text.find("- alert: " + std::string(alert) + "\n"), std::string::npos) << alert;
  auto known = emitted_families();
  expect_known_metrics(text, known); // every expression, multi-line ones too
}

TEST_F(MetricsTest, GrafanaDashboardParsesAndUsesOnlyOurMetrics)
{
  auto dashboard = json::parse(
      testing::read_file(testing::source_dir() / "docs/grafana/lastgood-dashboard.json"));
  auto known = emitted_families();
  int targets = 0;
  for (const auto& panel : dashboard.at("panels"))
    for (const auto& target : panel.at("targets")) {
      expect_known_metrics(target.at("expr").get<std::string>(), known);
      ++targets;
    }
  EXPECT_GE(targets, 10);
}

} // namespace
} // namespace lastgood
