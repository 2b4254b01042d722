// Verdict rules: ages against the RPO and verified_within (WARN past 80 %,
// FAIL past the target), never tested = FAIL, missing or failing objects FAIL,
// RTO against measured restores, PITR window and WAL gaps, holds on vanished backups.

#include "compliance/verdicts.hpp"

#include <gtest/gtest.h>

namespace lastgood::compliance {
namespace {

using namespace std::chrono;

const TimePoint kNow = parse_rfc3339("2026-11-22T12:00:00Z");

Scope database_scope()
{
  Scope s;
  s.kind = "database";
  s.name = "shop";
  BackupFact b;
  b.backup_id = "b1";
  b.kind = "logical";
  b.status = "good";
  b.taken = kNow - hours(2);
  s.backups.push_back(b);
  s.newest_backup = s.oldest_backup = b.taken;
  s.last_good_test = kNow - hours(1);
  s.last_good_backup = "b1";
  return s;
}

ReportFacts facts_with(Scope s)
{
  ReportFacts f;
  f.as_of = kNow;
  f.period_start = kNow - days(30);
  f.scopes.push_back(std::move(s));
  return f;
}

const Item& item(const Report& r, const std::string& name)
{
  for (const auto& i : r.scopes.at(0).items)
    if (i.name == name) return i;
  throw std::runtime_error("no item " + name);
}

TEST(Verdicts, FreshTestedBackupIsOk)
{
  auto f = facts_with(database_scope());
  auto r = judge(f, Config{});
  EXPECT_EQ(r.overall, Verdict::Ok);
  EXPECT_EQ(item(r, "backup_age").verdict, Verdict::Ok);
  EXPECT_EQ(item(r, "restore_tested").verdict, Verdict::Ok);
}

TEST(Verdicts, BackupAgeWarnsPastEightyPercentAndFailsPastRpo)
{
  Config c;
  c.compliance.rpo = hours(10);
  auto s = database_scope();
  s.newest_backup = s.backups.back().taken = kNow - hours(7); // 70 %
  EXPECT_EQ(item(judge(facts_with(s), c), "backup_age").verdict, Verdict::Ok);
  s.newest_backup = s.backups.back().taken = kNow - hours(9); // 90 %
  EXPECT_EQ(item(judge(facts_with(s), c), "backup_age").verdict, Verdict::Warn);
  s.newest_backup = s.backups.back().taken = kNow - hours(11);
  auto f = facts_with(s);
  auto r = judge(f, c);
  EXPECT_EQ(item(r, "backup_age").verdict, Verdict::Fail);
  EXPECT_EQ(r.overall, Verdict::Fail);
  EXPECT_NE(item(r, "backup_age").summary.find("11h"), std::string::npos)
      << item(r, "backup_age").summary;
}

// A newer backup that failed its test restore: never OK, and the RPO is
// measured from the newest backup not known bad.
TEST(Verdicts, NewestBackupBadFailsAndRpoSkipsIt)
{
  Config c;
  c.compliance.rpo = hours(10);
  auto s = database_scope(); // b1, good, 2 h old
  BackupFact bad = s.backups.back();
  bad.backup_id = "b2";
  bad.status = "bad";
  bad.taken = kNow - hours(1);
  bad.last_outcome = "fail";
  bad.last_problem = "pg_restore: error: could not read from input file";
  s.backups.push_back(bad);
  s.newest_backup = bad.taken;
  auto f = facts_with(s);
  auto r = judge(f, c);
  EXPECT_EQ(item(r, "newest_backup").verdict, Verdict::Fail);
  EXPECT_NE(item(r, "newest_backup").summary.find("could not read from input"), std::string::npos)
      << item(r, "newest_backup").summary;
  EXPECT_EQ(item(r, "verification").verdict, Verdict::Fail);
  EXPECT_EQ(item(r, "backup_age").verdict, Verdict::Ok);
  EXPECT_NE(item(r, "backup_age").summary.find("b1"), std::string::npos);
  EXPECT_NE(item(r, "backup_age").summary.find("1 newer backup(s) known bad"), std::string::npos);
  EXPECT_EQ(r.overall, Verdict::Fail);
  EXPECT_EQ(newest_restorable(f.scopes[0])->backup_id, "b1");

  // The older one 11 h old: past the RPO although a 1 h old backup exists.
  f.scopes[0].backups[0].taken = kNow - hours(11);
  EXPECT_EQ(item(judge(f, c), "backup_age").verdict, Verdict::Fail);
  // Every backup bad: nothing to measure the RPO from.
  f.scopes[0].backups[0].status = "bad";
  EXPECT_EQ(newest_restorable(f.scopes[0]), nullptr);
  EXPECT_EQ(item(judge(f, c), "backup_age").verdict, Verdict::Fail);
}

// Could not check is neither good nor bad: WARN, and the backup still counts.
TEST(Verdicts, CouldNotCheckWarnsAndIsNotBad)
{
  auto s = database_scope();
  s.backups.back().last_outcome = "error";
  s.backups.back().last_problem = "cannot read shop.dump: Permission denied";
  auto f = facts_with(s);
  auto r = judge(f, Config{});
  EXPECT_EQ(evidence_state(f.scopes[0].backups[0]), BackupState::Error);
  EXPECT_EQ(item(r, "newest_backup").verdict, Verdict::Warn);
  EXPECT_NE(item(r, "newest_backup").summary.find("Permission denied"), std::string::npos);
  EXPECT_EQ(item(r, "verification").verdict, Verdict::Warn);
  EXPECT_EQ(item(r, "backup_age").verdict, Verdict::Ok);
  EXPECT_EQ(r.overall, Verdict::Warn);
}

TEST(Verdicts, MissingObjectsMakeABackupBad)
{
  BackupFact b;
  b.status = "good";
  b.objects_missing = 1;
  EXPECT_EQ(evidence_state(b), BackupState::Bad);
  b.objects_missing = 0;
  b.last_outcome = "pass";
  EXPECT_EQ(evidence_state(b), BackupState::Good);
  b.status = "unverified";
  EXPECT_EQ(evidence_state(b), BackupState::Unverified);
}

TEST(Verdicts, NeverRestoreTestedFails)
{
  auto s = database_scope();
  s.last_good_test.reset();
  s.last_good_backup.reset();
  auto f = facts_with(s);
  auto r = judge(f, Config{});
  EXPECT_EQ(item(r, "restore_tested").verdict, Verdict::Fail);
  EXPECT_EQ(r.overall, Verdict::Fail);
}

TEST(Verdicts, StaleRestoreTestFails)
{
  Config c;
  c.compliance.verified_within = days(7);
  auto s = database_scope();
  s.last_good_test = kNow - days(6); // 86 %
  EXPECT_EQ(item(judge(facts_with(s), c), "restore_tested").verdict, Verdict::Warn);
  s.last_good_test = kNow - days(8);
  EXPECT_EQ(item(judge(facts_with(s), c), "restore_tested").verdict, Verdict::Fail);
}

TEST(Verdicts, MissingOrFailingObjectsFail)
{
  auto s = database_scope();
  s.objects_missing = 1;
  EXPECT_EQ(item(judge(facts_with(s), Config{}), "objects").verdict, Verdict::Fail);
  s.objects_missing = 0;
  s.backups_failing_checks = 1;
  EXPECT_EQ(item(judge(facts_with(s), Config{}), "objects").verdict, Verdict::Fail);
}

TEST(Verdicts, RestoreDurationOnlyWithRtoAndAgainstTheMax)
{
  auto s = database_scope();
  s.restore_seconds = {10, 20, 95};
  auto f = facts_with(s);
  auto without = judge(f, Config{});
  for (const auto& i : without.scopes[0].items)
    EXPECT_NE(i.name, "restore_duration");
  Config c;
  c.compliance.rto = seconds(100);
  EXPECT_EQ(item(judge(f, c), "restore_duration").verdict, Verdict::Warn);
  EXPECT_NE(item(judge(f, c), "restore_duration").summary.find("median 20"), std::string::npos);
  c.compliance.rto = seconds(90);
  EXPECT_EQ(item(judge(f, c), "restore_duration").verdict, Verdict::Fail);
  c.compliance.rto = seconds(1000);
  EXPECT_EQ(item(judge(f, c), "restore_duration").verdict, Verdict::Ok);
  s.restore_seconds.clear();
  EXPECT_EQ(item(judge(facts_with(s), c), "restore_duration").verdict, Verdict::Warn);
}

TEST(Verdicts, PitrWindowNoneFailsAndGapsWarn)
{
  auto s = database_scope();
  s.kind = "cluster";
  s.name = "7312";
  EXPECT_EQ(item(judge(facts_with(s), Config{}), "pitr_window").verdict, Verdict::Fail);
  s.pitr = PitrWindow{"b1", kNow - days(3), kNow - hours(1), 2, "000000020000000000000005"};
  EXPECT_EQ(item(judge(facts_with(s), Config{}), "pitr_window").verdict, Verdict::Ok);
  s.wal_gaps.push_back({1, "000000010000000000000003", "000000010000000000000003", 1});
  EXPECT_EQ(item(judge(facts_with(s), Config{}), "pitr_window").verdict, Verdict::Warn);
  s.wal_gaps.clear();
  Config c;
  c.retention.defaults.pitr_window = days(7);
  EXPECT_EQ(item(judge(facts_with(s), c), "pitr_window").verdict, Verdict::Warn);
}

// Self-contained base backups without an archive restore to one point each:
// no window (WARN), and FAIL where a PITR window is required.
TEST(Verdicts, SelfContainedBackupsWithoutArchiveAreOnlyPoints)
{
  auto s = database_scope();
  s.kind = "cluster";
  s.name = "7312";
  s.consistent_points = 2;
  auto r = judge(facts_with(s), Config{});
  EXPECT_EQ(item(r, "pitr_window").verdict, Verdict::Warn);
  EXPECT_NE(item(r, "pitr_window").summary.find("2 base backup(s) carry their own WAL"),
            std::string::npos)
      << item(r, "pitr_window").summary;
  Config c;
  c.retention.defaults.pitr_window = days(7);
  EXPECT_EQ(item(judge(facts_with(s), c), "pitr_window").verdict, Verdict::Fail);
}

TEST(Verdicts, RetentionRulesNarrowPerDatabaseAndKeepLastWarns)
{
  Config c;
  c.retention.defaults.keep_last = 1;
  c.retention.per_database["shop"].keep_last = 3;
  auto s = database_scope();
  EXPECT_EQ(*rules_for(c.retention, s).keep_last, 3);
  EXPECT_EQ(item(judge(facts_with(s), c), "retention").verdict, Verdict::Warn);
  s.name = "other";
  EXPECT_EQ(item(judge(facts_with(s), c), "retention").verdict, Verdict::Ok);
}

TEST(Verdicts, HoldOnVanishedBackupAndDeletionUnderHoldFail)
{
  auto s = database_scope();
  s.holds.push_back({"b0", "litigation", std::nullopt, "auditor", "2026-11-01T00:00:00Z", false});
  EXPECT_EQ(item(judge(facts_with(s), Config{}), "holds").verdict, Verdict::Ok);
  s.holds[0].backup_gone = true;
  EXPECT_EQ(item(judge(facts_with(s), Config{}), "holds").verdict, Verdict::Fail);
  s.holds.clear();
  s.backups_deleted = 2;
  EXPECT_EQ(item(judge(facts_with(s), Config{}), "deletions").verdict, Verdict::Ok);
  s.held_backups_deleted = 1;
  EXPECT_EQ(item(judge(facts_with(s), Config{}), "deletions").verdict, Verdict::Fail);
}

TEST(Verdicts, EmptyCatalogFails)
{
  ReportFacts f;
  f.as_of = kNow;
  EXPECT_EQ(judge(f, Config{}).overall, Verdict::Fail);
}

TEST(Verdicts, Median)
{
  EXPECT_DOUBLE_EQ(median({3, 1, 2}), 2);
  EXPECT_DOUBLE_EQ(median({4, 1, 2, 3}), 2.5);
  EXPECT_DOUBLE_EQ(median({}), 0);
}

} // namespace
} // namespace lastgood::compliance
