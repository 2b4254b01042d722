// The monitoring-plugin result is the report's verdict (OK/WARN/FAIL →
// OK/WARNING/CRITICAL, exit 0/1/2), with perfdata whose thresholds are the
// report's targets, and one further line per WARN/FAIL item.

#include "compliance/check_plugin.hpp"

#include <gtest/gtest.h>
#include <regex>

namespace lastgood::compliance {
namespace {

using namespace std::chrono;

const TimePoint kNow = parse_rfc3339("2026-11-22T12:00:00Z");

Scope shop(hours backup_age)
{
  Scope s;
  s.kind = "database";
  s.name = "shop";
  BackupFact b;
  b.backup_id = "b1";
  b.kind = "logical";
  b.status = "good";
  b.taken = kNow - backup_age;
  s.backups.push_back(b);
  s.newest_backup = s.oldest_backup = b.taken;
  s.last_good_test = kNow - hours(1);
  s.last_good_backup = "b1";
  return s;
}

ReportFacts facts(std::vector<Scope> scopes)
{
  ReportFacts f;
  f.as_of = kNow;
  f.period_start = kNow - days(30);
  f.scopes = std::move(scopes);
  return f;
}

Config rpo_10h()
{
  Config c;
  c.compliance.rpo = hours(10);
  return c;
}

std::string first_line(const std::string& text)
{
  return text.substr(0, text.find('\n'));
}

TEST(CheckPlugin, StateAndExitCodeFollowTheReportVerdict)
{
  struct Case
  {
    hours age;
    Verdict verdict;
    PluginState state;
    std::string prefix;
  };
  for (const auto& c : {Case{hours(2), Verdict::Ok, kPluginOk, "LASTGOOD OK - 1 scope(s) OK |"},
                        Case{hours(9), Verdict::Warn, kPluginWarning,
                             "LASTGOOD WARNING - 1 of 1 WARN: shop (backup_age) |"},
                        Case{hours(11), Verdict::Fail, kPluginCritical,
                             "LASTGOOD CRITICAL - 1 of 1 FAIL: shop (backup_age) |"}}) {
    auto f = facts({shop(c.age)});
    const auto judged = judge(f, rpo_10h());
    ASSERT_EQ(judged.overall, c.verdict);
    const auto r = check_plugin_result(judged);
    EXPECT_EQ(r.state, c.state);
    EXPECT_EQ(r.output.substr(0, c.prefix.size()), c.prefix) << r.output;
  }
}

TEST(CheckPlugin, PerfdataCarriesAgesAgainstTheReportTargetsAndCounts)
{
  auto s = shop(hours(2));
  auto bad = s.backups[0];
  bad.backup_id = "b2";
  bad.status = "bad";
  bad.taken = kNow - hours(1);
  s.backups.push_back(bad);
  auto f = facts({s});
  const auto r = check_plugin_result(judge(f, rpo_10h()));
  const auto line = first_line(r.output);
  // RPO 10h = 36000 s, WARN past 80 % = 28800 s; verified_within default 7d.
  EXPECT_NE(line.find("'shop_backup_age'=7200s;28800;36000;0"), std::string::npos) << line;
  EXPECT_NE(line.find("'shop_restore_test_age'=3600s;483840;604800;0"), std::string::npos) << line;
  EXPECT_NE(line.find("'shop_backups'=2;;;0"), std::string::npos) << line;
  EXPECT_NE(line.find("'shop_bad_backups'=1;;0;0"), std::string::npos) << line;
  EXPECT_NE(line.find("'shop_error_backups'=0;0;;0"), std::string::npos) << line;
  EXPECT_EQ(r.state, kPluginCritical);
}

TEST(CheckPlugin, FurtherLinesListEveryFailingItemWithoutPipes)
{
  auto s = shop(hours(11));
  s.last_good_test.reset();
  s.source = "prod|eu";
  auto f = facts({s});
  const auto judged = judge(f, rpo_10h());
  const auto r = check_plugin_result(judged);
  std::size_t expected = 0;
  for (const auto& i : judged.scopes[0].items)
    expected += i.verdict != Verdict::Ok ? 1 : 0;
  ASSERT_GE(expected, 2u);
  const auto rest = r.output.substr(r.output.find('\n') + 1);
  EXPECT_EQ(static_cast<std::size_t>(std::count(rest.begin(), rest.end(), '\n')), expected)
      << r.output;
  EXPECT_NE(rest.find("FAIL database prod/eu/shop backup_age: "), std::string::npos) << rest;
  EXPECT_NE(rest.find("FAIL database prod/eu/shop restore_tested: "), std::string::npos) << rest;
  // Only the perfdata separator is a pipe.
  EXPECT_EQ(std::count(r.output.begin(), r.output.end(), '|'), 1) << r.output;
  EXPECT_NE(first_line(r.output).find("'prod_eu/shop_backup_age'"), std::string::npos);
}

TEST(CheckPlugin, NoRestorableBackupHasAnUnknownAge)
{
  auto s = shop(hours(2));
  s.backups[0].status = "bad";
  auto f = facts({s});
  const auto line = first_line(check_plugin_result(judge(f, rpo_10h())).output);
  EXPECT_NE(line.find("'shop_backup_age'=U;28800;36000;0"), std::string::npos) << line;
}

TEST(CheckPlugin, EmptyCatalogIsCriticalAndUnknownSaysWhy)
{
  auto f = facts({});
  const auto empty = check_plugin_result(judge(f, Config{}));
  EXPECT_EQ(empty.state, kPluginCritical);
  EXPECT_EQ(empty.output, "LASTGOOD CRITICAL - no backups in the catalog\n");
  const auto unknown = check_plugin_unknown("no catalog at /x | y");
  EXPECT_EQ(unknown.state, kPluginUnknown);
  EXPECT_EQ(unknown.output, "LASTGOOD UNKNOWN - no catalog at /x / y\n");
}

TEST(CheckPlugin, PerfdataLabelsAreQuotedAsTheGuidelinesSay)
{
  EXPECT_EQ(perfdata("it's=x|y", "1s", "", "2", "0"), "'it''s_x_y'=1s;;2;0");
}

} // namespace
} // namespace lastgood::compliance
