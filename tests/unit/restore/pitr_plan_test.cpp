// plan_pitr on hand-built catalogs: gaps, timeline switches before and after a
// backup's stop, a segment of another cluster, bad backups skipped, a verified
// copy preferred among equals, history files, missing objects.

#include "catalog/catalog.hpp"
#include "common/error.hpp"
#include "pg/lsn.hpp"
#include "restore/pitr_plan.hpp"
#include "tests/support/temp_dir.hpp"

#include <gtest/gtest.h>

namespace lastgood::restore {
namespace {

constexpr std::uint64_t kSeg = 16u << 20;

std::uint64_t lsn(std::uint64_t segno, std::uint64_t offset = 0)
{
  return segno * kSeg + offset;
}

class PitrPlanTest : public ::testing::Test
{
protected:
  void SetUp() override
  {
    m_catalog = catalog::Catalog::open((m_home.path() / "c.db").string());
    db().exec("INSERT INTO repositories (id, name, url, created_at) VALUES (1, 'main', '/r1', 't'),"
              " (2, 'copy', '/r2', 't')");
    db().exec(
        "INSERT INTO clusters (id, system_identifier, wal_segment_size, first_seen) VALUES"
        " (1, '7000000000000000001', 16777216, 't'), (2, '7999999999999999999', 16777216, 't')");
  }
  catalog::Database& db() { return m_catalog->db(); }
  std::int64_t add_object(const std::string& key, std::int64_t mtime_s = 0, std::int64_t repo = 1)
  {
    db().prepare(
            "INSERT INTO objects (repository_id, key, size, mtime_ns, kind, first_seen, last_seen)"
            " VALUES (?, ?, 100, ?, 'wal_segment', 't', 't')")
        .bind_all(repo, key, mtime_s * 1000000000)
        .run();
    return db().last_insert_id();
  }
  std::int64_t segment(std::uint32_t tli, std::uint64_t segno, std::int64_t cluster = 1,
                       bool partial = false, std::int64_t mtime_s = 0)
  {
    auto name = pg::wal_file_name(tli, segno, kSeg);
    auto id = add_object("wal/" + name + (partial ? ".partial" : ""), mtime_s);
    db().prepare("INSERT INTO wal_segments (object_id, cluster_id, timeline, segno, segment_size, "
                 "name, partial)"
                 " VALUES (?, ?, ?, ?, ?, ?, ?)")
        .bind_all(id, cluster, tli, segno, kSeg, name, partial ? 1 : 0)
        .run();
    return id;
  }
  void segments(std::uint32_t tli, std::uint64_t first, std::uint64_t last)
  {
    for (auto s = first; s <= last; ++s)
      segment(tli, s, 1, false, static_cast<std::int64_t>(1000 + s * 60));
  }
  // A history file for tli: (parent, switch) entries, oldest first.
  void history(std::uint32_t tli, std::vector<std::pair<std::uint32_t, std::uint64_t>> entries)
  {
    char name[32];
    std::snprintf(name, sizeof name, "wal/%08X.history", tli);
    auto id = add_object(name);
    for (auto [parent, at] : entries)
      db().prepare("INSERT INTO timeline_history (object_id, cluster_id, timeline, "
                   "parent_timeline, switch_lsn)"
                   " VALUES (?, 1, ?, ?, ?)")
          .bind_all(id, tli, parent, at)
          .run();
  }
  // A base backup starting in segment `segno` and consistent 0x100 bytes later.
  void backup(const std::string& id, std::uint32_t tli, std::uint64_t segno,
              const std::string& status = "unverified", std::int64_t repo = 1,
              std::uint64_t stop_offset = 0x100)
  {
    db().prepare("INSERT INTO backups (backup_id, repository_id, root_key, kind, format, "
                 "cluster_id, start_lsn,"
                 " stop_lsn, timeline, stop_timeline, status, start_time, stop_time, first_seen, "
                 "last_seen)"
                 " VALUES (?, ?, ?, 'physical', 'base_tar', 1, ?, ?, ?, ?, ?, ?, ?, 't', 't')")
        .bind_all(id, repo, "base/" + id, lsn(segno, 0x28), lsn(segno, stop_offset), tli, tli,
                  status, format_rfc3339(TimePoint{std::chrono::seconds{1000 + segno * 60 - 30}}),
                  format_rfc3339(TimePoint{std::chrono::seconds{1000 + segno * 60 - 20}}))
        .run();
  }
  PitrPlan plan_lsn(std::uint64_t target, std::optional<std::uint32_t> timeline = std::nullopt)
  {
    PlanRequest r;
    r.target.kind = TargetKind::Lsn;
    r.target.lsn = pg::Lsn{target};
    r.timeline = timeline;
    r.use_waldump = false;
    return plan_pitr(db(), r);
  }
  static std::vector<std::string> names(const PitrPlan& p)
  {
    std::vector<std::string> out;
    for (const auto& f : p.wal)
      out.push_back(f.name);
    return out;
  }

  testing::TempDir m_home;
  std::unique_ptr<catalog::Catalog> m_catalog;
};

TEST_F(PitrPlanTest, ChoosesTheNewestBackupBeforeTheTargetAndListsItsSegments)
{
  segments(1, 1, 12);
  backup("b3", 1, 3);
  backup("b6", 1, 6);
  backup("b11", 1, 11); // consistent after the target: not a candidate
  auto p = plan_lsn(lsn(8, 0x500));
  ASSERT_TRUE(p.reachable) << p.unreachable->message;
  EXPECT_EQ(p.backup->backup_id, "b6");
  EXPECT_EQ(names(p),
            (std::vector<std::string>{"000000010000000000000006", "000000010000000000000007",
                                      "000000010000000000000008"}));
  ASSERT_TRUE(p.earliest);
  EXPECT_EQ(p.earliest->lsn.value, lsn(3, 0x100));
  ASSERT_TRUE(p.latest);
  EXPECT_EQ(p.latest->lsn.value, lsn(13));
  ASSERT_FALSE(p.warnings.empty()); // b6 is unverified
  EXPECT_NE(p.warnings.front().find("b6"), std::string::npos);
}

TEST_F(PitrPlanTest, GapAfterConsistencyIsUnreachableNamingTheSegmentAndTheNearestPoint)
{
  segments(1, 1, 6);
  segments(1, 8, 12);
  backup("b2", 1, 2);
  backup("b4", 1, 4);
  auto p = plan_lsn(lsn(10));
  ASSERT_FALSE(p.reachable);
  EXPECT_EQ(p.unreachable->reason, UnreachableReason::MissingSegment);
  EXPECT_EQ(p.unreachable->missing_name, "000000010000000000000007");
  ASSERT_TRUE(p.unreachable->nearest);
  EXPECT_EQ(p.unreachable->nearest->lsn.value, lsn(7));
  EXPECT_EQ(p.backup->backup_id, "b4");
  // Before the gap it is reachable.
  EXPECT_TRUE(plan_lsn(lsn(6, 0x10)).reachable);
}

TEST_F(PitrPlanTest, BadBackupIsSkippedAndAVerifiedCopyIsPreferredAmongEquals)
{
  segments(1, 1, 10);
  backup("b3", 1, 3);
  backup("b5-unverified", 1, 5, "unverified", 1);
  backup("b5-good", 1, 5, "good", 2); // the same backup in a second repository, restore-tested
  backup("b7", 1, 7, "bad");
  auto p = plan_lsn(lsn(9));
  ASSERT_TRUE(p.reachable);
  EXPECT_EQ(p.backup->backup_id, "b5-good");
  EXPECT_EQ(p.backup->repository, "copy");
  EXPECT_TRUE(p.warnings.empty());
}

TEST_F(PitrPlanTest, SwitchAfterTheBackupStopIsCrossedWithTheHistoryFile)
{
  segments(1, 1, 7);
  segment(1, 8, 1, true); // the old timeline's switch segment, archived as .partial
  history(2, {{1, lsn(8, 0x3000)}});
  segments(2, 8, 10);
  backup("b5", 1, 5);
  auto p = plan_lsn(lsn(9, 0x10));
  ASSERT_TRUE(p.reachable) << p.unreachable->message;
  EXPECT_EQ(p.target_timeline, 2u);
  EXPECT_EQ(names(p),
            (std::vector<std::string>{"00000002.history", "000000010000000000000005",
                                      "000000010000000000000006", "000000010000000000000007",
                                      "000000020000000000000008", "000000020000000000000009"}));
  ASSERT_EQ(p.timelines.size(), 2u);
  EXPECT_EQ(p.timelines[0].switch_lsn->value, lsn(8, 0x3000));
  // Timeline 1 alone: the rest of segment 8 is only in a .partial, never read.
  auto q = plan_lsn(lsn(8, 0x5000), 1);
  ASSERT_FALSE(q.reachable);
  EXPECT_EQ(q.unreachable->missing_name, "000000010000000000000008");
  EXPECT_NE(q.unreachable->message.find(".partial"), std::string::npos);
}

TEST_F(PitrPlanTest, BackupAfterTheSwitchOnTheOldTimelineCannotReachTheNewOne)
{
  segments(1, 1, 9);
  history(2, {{1, lsn(6, 0x3000)}});
  segments(2, 6, 9);
  backup("b2", 1, 2);
  backup("b7-old-branch", 1, 7); // taken on timeline 1 after timeline 2 branched off
  auto p = plan_lsn(lsn(8), 2);
  ASSERT_TRUE(p.reachable);
  EXPECT_EQ(p.backup->backup_id, "b2");
  EXPECT_EQ(names(p).back(), "000000020000000000000008");
  // Only the old-branch backup: unreachable, and it says why.
  PlanRequest r;
  r.target.kind = TargetKind::Lsn;
  r.target.lsn = pg::Lsn{lsn(8)};
  r.timeline = 2;
  r.backup_id = "b7";
  r.use_waldump = false;
  auto q = plan_pitr(db(), r);
  ASSERT_FALSE(q.reachable);
  EXPECT_EQ(q.unreachable->reason, UnreachableReason::TimelineNotReachable);
}

TEST_F(PitrPlanTest, MissingHistoryFileOfTheTargetTimeline)
{
  segments(1, 1, 5);
  segments(2, 6, 8); // segments of timeline 2, but no 00000002.history
  backup("b2", 1, 2);
  auto p = plan_lsn(lsn(7), 2);
  ASSERT_FALSE(p.reachable);
  EXPECT_EQ(p.unreachable->reason, UnreachableReason::MissingHistory);
  EXPECT_EQ(p.unreachable->missing_name, "00000002.history");
}

TEST_F(PitrPlanTest, SegmentOfAnotherClusterIsNotUsedAndIsNamed)
{
  segments(1, 1, 4);
  segment(1, 5, 2); // same name, other cluster's page header
  segments(1, 6, 8);
  backup("b2", 1, 2);
  auto p = plan_lsn(lsn(7));
  ASSERT_FALSE(p.reachable);
  EXPECT_EQ(p.unreachable->missing_name, "000000010000000000000005");
  EXPECT_EQ(p.unreachable->foreign_cluster, "7999999999999999999");
}

TEST_F(PitrPlanTest, ObjectMarkedMissingOrDeletedMakesItsSegmentUnavailable)
{
  segments(1, 1, 8);
  backup("b2", 1, 2);
  ASSERT_TRUE(plan_lsn(lsn(7)).reachable);
  db().exec("UPDATE objects SET missing_since = 't2' WHERE key = 'wal/000000010000000000000004'");
  EXPECT_EQ(plan_lsn(lsn(7)).unreachable->missing_name, "000000010000000000000004");
  db().exec("UPDATE objects SET missing_since = NULL WHERE key = 'wal/000000010000000000000004'");
  EXPECT_TRUE(plan_lsn(lsn(7)).reachable);
  db().exec("UPDATE objects SET deleted_at = 't3' WHERE key = 'wal/000000010000000000000005'");
  EXPECT_EQ(plan_lsn(lsn(7)).unreachable->missing_name, "000000010000000000000005");
}

TEST_F(PitrPlanTest, TargetBeforeEveryConsistencyPointSaysWhereTheEarliestIs)
{
  segments(1, 1, 8);
  backup("b4", 1, 4);
  auto p = plan_lsn(lsn(3));
  ASSERT_FALSE(p.reachable);
  EXPECT_EQ(p.unreachable->reason, UnreachableReason::TargetBeforeConsistency);
  ASSERT_TRUE(p.unreachable->nearest);
  EXPECT_EQ(p.unreachable->nearest->lsn.value, lsn(4, 0x100));
}

TEST_F(PitrPlanTest, TimeTargetEndsAtTheFirstSegmentArchivedAfterIt)
{
  segments(1, 1, 12); // segment s archived at 1000 + 60 s
  backup("b3", 1, 3);
  PlanRequest r;
  r.target.kind = TargetKind::Time;
  r.target.time = TimeUs{std::chrono::seconds{1000 + 7 * 60 - 10}};
  r.use_waldump = false;
  auto p = plan_pitr(db(), r);
  ASSERT_TRUE(p.reachable);
  EXPECT_EQ(names(p).back(), "000000010000000000000007");
  EXPECT_FALSE(p.notes.empty());
  EXPECT_TRUE(p.warnings.size() == 1); // only "unverified"
  // After the last archived segment: reachable to the end, with a warning.
  r.target.time = TimeUs{std::chrono::seconds{1000 + 20 * 60}};
  auto q = plan_pitr(db(), r);
  ASSERT_TRUE(q.reachable);
  EXPECT_EQ(names(q).back(), "00000001000000000000000C");
  bool warned = false;
  for (const auto& w : q.warnings)
    warned = warned || w.find("after the end of the archive") != std::string::npos;
  EXPECT_TRUE(warned);
}

TEST_F(PitrPlanTest, TargetTimeKeepsMicroseconds)
{
  auto t = parse_target_time("2026-11-22T04:11:02.066106Z");
  EXPECT_EQ(format_target_time(t), "2026-11-22T04:11:02.066106Z");
  EXPECT_EQ(format_target_time(parse_target_time("2026-11-22T05:11:02.5+01:00")),
            "2026-11-22T04:11:02.500000Z");
  EXPECT_THROW(parse_target_time("2026-11-22T04:11:02.Z"), ValidationError);
}

} // namespace
} // namespace lastgood::restore
