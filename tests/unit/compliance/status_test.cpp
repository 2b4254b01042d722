// The status summary takes everything from the judged report: the newest and
// newest restorable backup (evidence_state / newest_restorable), the WARN and
// FAIL items as problems, and --source narrowing to that source's databases.

#include "common/error.hpp"
#include "compliance/status.hpp"

#include <gtest/gtest.h>

namespace lastgood::compliance {
namespace {

using namespace std::chrono;

const TimePoint kNow = parse_rfc3339("2026-11-22T12:00:00Z");

BackupFact backup(const std::string& id, const std::string& status, hours age)
{
  BackupFact b;
  b.backup_id = id;
  b.kind = "logical";
  b.status = status;
  b.taken = kNow - age;
  return b;
}

Scope database(const std::string& name, std::optional<std::string> source)
{
  Scope s;
  s.kind = "database";
  s.name = name;
  s.source = std::move(source);
  s.backups = {backup(name + "-old", "good", hours(5)), backup(name + "-new", "good", hours(2))};
  s.newest_backup = s.backups.back().taken;
  s.oldest_backup = s.backups.front().taken;
  s.last_good_test = kNow - hours(1);
  s.last_good_backup = name + "-new";
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

TEST(Status, HealthyScopeShowsItsBackupsAndNoProblems)
{
  auto f = facts({database("shop", std::nullopt)});
  auto st = summarize(judge(f, Config{}));
  EXPECT_EQ(st.overall, Verdict::Ok);
  ASSERT_EQ(st.scopes.size(), 1u);
  EXPECT_EQ(st.scopes[0].newest->backup_id, "shop-new");
  EXPECT_EQ(st.scopes[0].restorable->backup_id, "shop-new");
  EXPECT_TRUE(st.scopes[0].problems.empty());
  const auto text = render_status_text(st);
  EXPECT_NE(text.find("database shop: OK"), std::string::npos) << text;
  EXPECT_NE(text.find("shop-new  2026-11-22T10:00:00Z (2h old, good)"), std::string::npos) << text;
  EXPECT_NE(text.find("problems            none"), std::string::npos) << text;
}

TEST(Status, BadNewestBackupIsNotRestorableAndItsItemsAreTheProblems)
{
  auto s = database("shop", std::nullopt);
  s.backups.back().status = "bad";
  s.backups.back().last_outcome = "fail";
  s.backups.back().last_problem = "pg_restore: invalid block";
  s.last_good_backup = "shop-old";
  auto f = facts({s});
  const auto judged = judge(f, Config{});
  auto st = summarize(judged);
  EXPECT_EQ(st.overall, Verdict::Fail);
  EXPECT_EQ(st.scopes[0].newest->backup_id, "shop-new");
  EXPECT_EQ(st.scopes[0].newest->state, BackupState::Bad);
  EXPECT_EQ(st.scopes[0].restorable->backup_id, "shop-old");
  // Exactly the report's WARN/FAIL items, with the report's summaries.
  std::vector<std::string> expected;
  for (const auto& i : judged.scopes[0].items)
    if (i.verdict != Verdict::Ok) expected.push_back(i.name + ":" + i.summary);
  std::vector<std::string> problems;
  for (const auto& p : st.scopes[0].problems)
    problems.push_back(p.name + ":" + p.summary);
  EXPECT_EQ(problems, expected);
  ASSERT_FALSE(problems.empty());
  const auto text = render_status_text(st);
  EXPECT_NE(text.find("FAIL newest_backup: shop-new"), std::string::npos) << text;
  EXPECT_NE(text.find("pg_restore: invalid block"), std::string::npos) << text;
  const auto doc = render_status_json(st);
  EXPECT_EQ(doc.at("overall"), "FAIL");
  EXPECT_EQ(doc.at("scopes").at(0).at("newest_backup").at("state"), "bad");
  EXPECT_EQ(doc.at("scopes").at(0).at("newest_restorable_backup").at("backup_id"), "shop-old");
  EXPECT_EQ(doc.at("scopes").at(0).at("problems").size(), problems.size());
}

TEST(Status, SourceNarrowsToItsDatabasesAndTheirWorstVerdict)
{
  auto broken = database("shop", std::string("prod-us"));
  broken.last_good_test.reset(); // never test-restored: FAIL
  auto f = facts({database("shop", std::string("prod-eu")), broken, database("crm", std::nullopt)});
  const auto judged = judge(f, Config{});
  ASSERT_EQ(judged.overall, Verdict::Fail);

  auto eu = summarize(judged, std::string("prod-eu"));
  ASSERT_EQ(eu.scopes.size(), 1u);
  EXPECT_EQ(eu.scopes[0].scope->source, "prod-eu");
  EXPECT_EQ(eu.overall, Verdict::Ok);
  EXPECT_EQ(summarize(judged, std::string("prod-us")).overall, Verdict::Fail);
  auto def = summarize(judged, std::string("default"));
  ASSERT_EQ(def.scopes.size(), 1u);
  EXPECT_EQ(def.scopes[0].scope->name, "crm");
  EXPECT_EQ(render_status_json(def).at("scopes").at(0).at("source"), nullptr);
  EXPECT_THROW(summarize(judged, std::string("prod-asia")), UsageError);
  EXPECT_THROW(summarize(judged, std::string("a/b")), UsageError);
}

TEST(Status, EmptyCatalogFailsAsTheReportDoes)
{
  auto f = facts({});
  auto st = summarize(judge(f, Config{}));
  EXPECT_EQ(st.overall, Verdict::Fail);
  EXPECT_NE(render_status_text(st).find("no backups in the catalog"), std::string::npos);
}

TEST(Status, ClusterShowsItsPitrWindow)
{
  Scope c;
  c.kind = "cluster";
  c.name = "7312345678901234567";
  c.backups = {backup("base1", "good", hours(30))};
  c.backups[0].kind = "physical";
  c.last_good_test = kNow - hours(1);
  c.last_good_backup = "base1";
  c.pitr = PitrWindow{"base1", kNow - hours(30), kNow - hours(1), 1, "000000010000000000000009"};
  auto f = facts({c});
  auto st = summarize(judge(f, Config{}));
  const auto text = render_status_text(st);
  EXPECT_NE(text.find("PITR window         2026-11-21T06:00:00Z .. 2026-11-22T11:00:00Z (1d5h)"),
            std::string::npos)
      << text;
  EXPECT_EQ(render_status_json(st).at("scopes").at(0).at("pitr_window").at("seconds"), 29 * 3600);
}

} // namespace
} // namespace lastgood::compliance
