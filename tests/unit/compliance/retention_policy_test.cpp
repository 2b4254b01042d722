// The retention policy on small hand-made catalogs: each rule, key-by-key
// overrides, protections (last good, holds, storage locks) and WAL decisions.

#include "compliance/retention_plan.hpp"

#include <algorithm>
#include <gtest/gtest.h>

namespace lastgood::compliance {
namespace {

using std::chrono::hours;

const TimePoint kNow = parse_rfc3339("2026-11-22T12:00:00Z");
constexpr std::uint64_t kSeg = 16u << 20;

BackupFacts logical(std::int64_t id, const std::string& db, int hours_ago)
{
  BackupFacts b;
  b.row_id = id;
  b.backup_id = "b" + std::to_string(id);
  b.repository = "repo";
  b.kind = "logical";
  b.status = "unverified";
  b.database = db;
  b.time = kNow - hours(hours_ago);
  b.size_bytes = 100;
  return b;
}

BackupFacts physical(std::int64_t id, int hours_ago, std::uint64_t start_segno)
{
  BackupFacts b = logical(id, "", hours_ago);
  b.kind = "physical";
  b.database.reset();
  b.system_identifier = "7000";
  b.start_lsn = static_cast<std::int64_t>(start_segno * kSeg + 40);
  b.stop_lsn = static_cast<std::int64_t>((start_segno + 1) * kSeg + 100);
  b.timeline = 1;
  b.stop_timeline = 1;
  return b;
}

WalSegmentFacts segment(std::int64_t id, std::uint64_t segno, std::uint32_t tli = 1)
{
  WalSegmentFacts w;
  w.object_id = id;
  w.repository = "repo";
  w.system_identifier = "7000";
  w.timeline = tli;
  w.segno = segno;
  w.segment_size = kSeg;
  w.size = kSeg;
  w.name = "seg" + std::to_string(tli) + "-" + std::to_string(segno);
  w.key = "wal/" + w.name;
  return w;
}

bool has_reason(const BackupDecision& d, const std::string& prefix)
{
  return std::any_of(d.reasons.begin(), d.reasons.end(),
                     [&](const std::string& r) { return r.rfind(prefix, 0) == 0; });
}

TEST(RetentionPolicy, NoRuleKeepsEverything)
{
  std::vector<BackupFacts> backups = {logical(1, "shop", 1000), logical(2, "shop", 1)};
  auto d = decide_backups(backups, RetentionConfig{}, kNow);
  for (const auto& x : d) {
    EXPECT_TRUE(x.keep);
    EXPECT_TRUE(has_reason(x, "no retention rule")) << x.reasons.front();
  }
}

TEST(RetentionPolicy, KeepLastAndKeepWithin)
{
  std::vector<BackupFacts> backups;
  for (int i = 1; i <= 6; ++i)
    backups.push_back(logical(i, "shop", 24 * (7 - i))); // 6 .. 1 days old
  RetentionConfig config;
  config.defaults.keep_last = 2;
  config.defaults.keep_within = hours(24 * 3 + 1);
  auto d = decide_backups(backups, config, kNow);
  // Newest two by keep_last; 3 days and 1 hour back keeps the 1, 2 and 3 days old.
  EXPECT_TRUE(has_reason(d[5], "keep_last 2: #1"));
  EXPECT_TRUE(has_reason(d[4], "keep_last 2: #2"));
  EXPECT_FALSE(has_reason(d[3], "keep_last"));
  EXPECT_TRUE(d[3].keep && has_reason(d[3], "keep_within 3d1h")) << d[3].reasons.front();
  EXPECT_FALSE(d[2].keep) << "4 days old";
  EXPECT_FALSE(d[1].keep);
  EXPECT_FALSE(d[0].keep);
  EXPECT_TRUE(has_reason(d[0], "not kept by any rule (keep_last 2, keep_within 3d1h)"))
      << d[0].reasons.front();
}

TEST(RetentionPolicy, NarrowerTablesOverrideKeyByKey)
{
  RetentionConfig config;
  config.defaults.keep_last = 5;
  config.defaults.keep_daily = 3;
  RetentionRules shop;
  shop.keep_last = 1;
  config.per_database["shop"] = shop;
  BackupFacts b = logical(1, "shop", 1);
  auto rules = effective_rules(config, b);
  EXPECT_EQ(rules.keep_last, 1);
  EXPECT_EQ(rules.keep_daily, 3) << "keys the narrower table does not set come from [retention]";
  b.database = "inventory";
  EXPECT_EQ(effective_rules(config, b).keep_last, 5);
  RetentionRules cluster;
  cluster.pitr_window = hours(24);
  config.per_cluster["7000"] = cluster;
  auto p = physical(2, 1, 10);
  EXPECT_EQ(effective_rules(config, p).pitr_window, hours(24));
  EXPECT_EQ(effective_rules(config, p).keep_last, 5);
}

TEST(RetentionPolicy, ProtectionsWinOverRules)
{
  std::vector<BackupFacts> backups;
  for (int i = 1; i <= 6; ++i)
    backups.push_back(logical(i, "shop", 24 * (7 - i)));
  backups[0].last_good = true;
  backups[1].holds.push_back({7, "case 42", std::nullopt, false});    // indefinite
  backups[2].holds.push_back({8, "case 43", kNow - hours(1), false}); // expired
  backups[3].holds.push_back({9, "case 44", kNow + hours(1), true});  // released
  backups[4].locks.push_back({"shop5.dump", kNow + hours(24 * 30)});
  RetentionConfig config;
  config.defaults.keep_last = 1;
  auto d = decide_backups(backups, config, kNow);
  EXPECT_TRUE(d[0].keep && has_reason(d[0], "last known good backup of database shop"));
  EXPECT_TRUE(d[1].keep && has_reason(d[1], "legal hold #7 (indefinite): case 42"));
  EXPECT_FALSE(d[2].keep) << "an expired hold stops protecting by itself";
  EXPECT_FALSE(d[3].keep) << "a released hold does not protect";
  EXPECT_TRUE(d[4].keep &&
              has_reason(d[4], "storage lock until 2026-12-22T12:00:00Z on shop5.dump"));
  EXPECT_TRUE(d[5].keep && has_reason(d[5], "keep_last 1"));
}

TEST(RetentionPolicy, MissingAndUndatedBackupsAreKeptAndTakeNoPlace)
{
  std::vector<BackupFacts> backups = {logical(1, "shop", 30), logical(2, "shop", 20),
                                      logical(3, "shop", 10)};
  backups[2].missing_since = "2026-11-21T00:00:00Z";
  backups[0].time.reset();
  RetentionConfig config;
  config.defaults.keep_last = 1;
  auto d = decide_backups(backups, config, kNow);
  EXPECT_TRUE(d[2].keep && has_reason(d[2], "missing from storage"));
  EXPECT_TRUE(d[1].keep && has_reason(d[1], "keep_last 1: #1")) << "the missing one does not count";
  EXPECT_TRUE(d[0].keep && has_reason(d[0], "its time is unknown"));
}

TEST(RetentionPolicy, GroupsArePerRepositoryAndDatabase)
{
  std::vector<BackupFacts> backups = {logical(1, "shop", 30), logical(2, "inventory", 20),
                                      logical(3, "shop", 10)};
  backups.push_back(logical(4, "shop", 40));
  backups[3].repository = "offsite";
  RetentionConfig config;
  config.defaults.keep_last = 1;
  auto d = decide_backups(backups, config, kNow);
  EXPECT_FALSE(d[0].keep);
  EXPECT_TRUE(d[1].keep);
  EXPECT_TRUE(d[2].keep);
  EXPECT_TRUE(d[3].keep) << "each repository keeps its own";
  EXPECT_EQ(d[3].group, "offsite: database shop");
}

TEST(RetentionPolicy, PitrWindowKeepsBackupsInsideAndTheBaseBeforeIt)
{
  // Backups 10, 8, 6, 4 and 2 days old; window 5 days.
  std::vector<BackupFacts> backups;
  for (int i = 0; i < 5; ++i)
    backups.push_back(physical(i + 1, 24 * (10 - 2 * i), 10 * (i + 1)));
  RetentionConfig config;
  config.defaults.pitr_window = hours(24 * 5);
  auto d = decide_backups(backups, config, kNow);
  EXPECT_FALSE(d[0].keep);
  EXPECT_FALSE(d[1].keep);
  EXPECT_TRUE(has_reason(d[2], "pitr_window 5d: base backup to reach 2026-11-17T12:00:00Z"));
  EXPECT_TRUE(has_reason(d[3], "pitr_window 5d: taken within the window"));
  EXPECT_TRUE(has_reason(d[4], "pitr_window 5d: taken within the window"));

  backups[2].status = "bad"; // cannot start recovery from a bad base: the next older one too
  d = decide_backups(backups, config, kNow);
  EXPECT_TRUE(d[2].keep);
  EXPECT_TRUE(d[1].keep && has_reason(d[1], "pitr_window 5d: base backup"));
  EXPECT_FALSE(d[0].keep);
}

TEST(RetentionPolicy, PitrWindowAloneDeletesNoDumps)
{
  std::vector<BackupFacts> backups = {logical(1, "shop", 24 * 30), logical(2, "shop", 1)};
  RetentionConfig config;
  config.defaults.pitr_window = hours(24);
  auto d = decide_backups(backups, config, kNow);
  EXPECT_TRUE(d[0].keep && has_reason(d[0], "no retention rule")) << d[0].reasons.front();
  config.defaults.keep_last = 1;
  d = decide_backups(backups, config, kNow);
  EXPECT_FALSE(d[0].keep);
  EXPECT_EQ(d[0].reasons.front(), "not kept by any rule (keep_last 1)");
}

TEST(WalRetention, OnlyWalBeforeTheOldestKeptBaseBackupGoes)
{
  std::vector<BackupFacts> backups = {physical(1, 100, 3), physical(2, 50, 6), physical(3, 1, 9)};
  RetentionConfig config;
  config.defaults.keep_last = 2;
  std::vector<WalSegmentFacts> wal;
  for (std::uint64_t s = 1; s <= 10; ++s)
    wal.push_back(segment(static_cast<std::int64_t>(s), s));
  wal.push_back(segment(20, 4, 2)); // another timeline, before the floor
  wal.push_back(segment(21, 7, 2)); // another timeline, after it
  auto plan = make_plan(backups, wal, config, kNow);
  ASSERT_FALSE(plan.decisions[0].keep);
  ASSERT_EQ(plan.wal_decision.delete_ranges.size(), 2u);
  const auto& tli1 = plan.wal_decision.delete_ranges[0];
  EXPECT_EQ(tli1.first, "seg1-1");
  EXPECT_EQ(tli1.last, "seg1-5") << "segment 6 holds the kept backup's start";
  EXPECT_EQ(tli1.segments.size(), 5u);
  EXPECT_EQ(plan.wal_decision.delete_ranges[1].first, "seg2-4");
  EXPECT_EQ(plan.wal_segments_to_delete, 6u);
  EXPECT_EQ(plan.bytes_freed, 6 * kSeg + 100);
}

TEST(WalRetention, ConservativeWhenInDoubt)
{
  std::vector<WalSegmentFacts> wal = {segment(1, 1), segment(2, 2)};
  std::vector<BackupFacts> backups = {physical(1, 10, 5)};
  RetentionConfig config;
  config.defaults.keep_last = 1;

  auto no_start = backups;
  no_start[0].start_lsn.reset();
  EXPECT_TRUE(make_plan(no_start, wal, config, kNow).wal_decision.delete_ranges.empty());

  auto no_cluster = backups;
  no_cluster[0].system_identifier.reset();
  EXPECT_TRUE(make_plan(no_cluster, wal, config, kNow).wal_decision.delete_ranges.empty());

  auto other_cluster = wal;
  for (auto& w : other_cluster)
    w.system_identifier = "8000";
  auto plan = make_plan(backups, other_cluster, config, kNow);
  EXPECT_TRUE(plan.wal_decision.delete_ranges.empty())
      << "a cluster without a kept base backup keeps its WAL";

  auto locked = wal;
  locked[0].retain_until = kNow + hours(1);
  plan = make_plan(backups, locked, config, kNow);
  ASSERT_EQ(plan.wal_decision.delete_ranges.size(), 1u);
  EXPECT_EQ(plan.wal_decision.delete_ranges[0].first, "seg1-2");

  auto unknown = wal;
  unknown[1].system_identifier.reset();
  plan = make_plan(backups, unknown, config, kNow);
  ASSERT_EQ(plan.wal_decision.delete_ranges.size(), 1u);
  EXPECT_EQ(plan.wal_decision.delete_ranges[0].segments.size(), 1u);
}

} // namespace
} // namespace lastgood::compliance
