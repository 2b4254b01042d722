// wal_summary's per-base-backup WAL completeness and foreign segments, on a
// hand-built catalog.

#include "catalog/catalog.hpp"
#include "catalog/wal_summary.hpp"
#include "pg/lsn.hpp"
#include "tests/support/temp_dir.hpp"

#include <gtest/gtest.h>

namespace lastgood::catalog {
namespace {

constexpr std::uint64_t kSeg = 16u << 20;

class WalSummaryTest : public ::testing::Test
{
protected:
  void SetUp() override
  {
    m_catalog = Catalog::open((m_home.path() / "c.db").string());
    db().exec(
        "INSERT INTO repositories (id, name, url, created_at) VALUES (1, 'main', '/r1', 't')");
    db().exec(
        "INSERT INTO clusters (id, system_identifier, wal_segment_size, first_seen) VALUES"
        " (1, '7000000000000000001', 16777216, 't'), (2, '7999999999999999999', 16777216, 't')");
  }
  Database& db() { return m_catalog->db(); }
  void segment(std::uint64_t segno, std::int64_t cluster = 1, const std::string& dir = "wal/")
  {
    auto name = pg::wal_file_name(1, segno, kSeg);
    db().prepare("INSERT INTO objects (repository_id, key, size, kind, first_seen, last_seen)"
                 " VALUES (1, ?, 100, 'wal_segment', 't', 't')")
        .bind(1, dir + name)
        .run();
    db().prepare(
            "INSERT INTO wal_segments (object_id, cluster_id, timeline, segno, segment_size, name)"
            " VALUES (?, ?, 1, ?, ?, ?)")
        .bind_all(db().last_insert_id(), cluster, segno, kSeg, name)
        .run();
  }
  // A second copy of a segment (another key), or one flagged as damaged or .partial.
  void odd_segment(std::uint64_t segno, const std::string& key,
                   const std::optional<std::string>& problem, int partial)
  {
    db().prepare("INSERT INTO objects (repository_id, key, size, kind, first_seen, last_seen)"
                 " VALUES (1, ?, 100, 'wal_segment', 't', 't')")
        .bind(1, key)
        .run();
    db().prepare("INSERT INTO wal_segments (object_id, cluster_id, timeline, segno, segment_size,"
                 " name, partial, problem) VALUES (?, 1, 1, ?, ?, ?, ?, ?)")
        .bind_all(db().last_insert_id(), segno, kSeg, pg::wal_file_name(1, segno, kSeg), partial,
                  problem)
        .run();
  }
  void backup(const std::string& id, std::uint64_t start_seg, std::uint64_t stop_seg)
  {
    db().prepare("INSERT INTO backups (backup_id, repository_id, root_key, kind, format, "
                 "cluster_id, start_lsn,"
                 " stop_lsn, timeline, stop_timeline, first_seen, last_seen)"
                 " VALUES (?, 1, ?, 'physical', 'base_tar', 1, ?, ?, 1, 1, 't', 't')")
        .bind_all(id, "base/" + id, start_seg * kSeg + 0x28, stop_seg * kSeg + 0x100)
        .run();
  }
  const ClusterWal& cluster(const std::vector<ClusterWal>& all, const std::string& id)
  {
    for (const auto& c : all)
      if (c.system_identifier == id) return c;
    throw std::runtime_error("no cluster " + id);
  }

  testing::TempDir m_home;
  std::unique_ptr<Catalog> m_catalog;
};

TEST_F(WalSummaryTest, BaseBackupWithAMissingSegmentIsIncompleteAndNamesIt)
{
  for (std::uint64_t s : {1, 2, 3, 5, 6})
    segment(s);
  backup("whole", 2, 3);
  backup("broken", 3, 5); // needs 3, 4, 5
  auto all = wal_summary(db(), std::nullopt);
  const auto& c = cluster(all, "7000000000000000001");
  ASSERT_EQ(c.backups.size(), 2u);
  EXPECT_EQ(c.backups[0].backup_id, "whole");
  EXPECT_TRUE(c.backups[0].complete);
  EXPECT_EQ(c.backups[1].backup_id, "broken");
  EXPECT_FALSE(c.backups[1].complete);
  EXPECT_EQ(c.backups[1].missing, "000000010000000000000004");
  EXPECT_TRUE(has_problems(all));
}

TEST_F(WalSummaryTest, SegmentOfAnotherClusterAmongOursIsFlagged)
{
  for (std::uint64_t s : {1, 2, 3})
    segment(s);
  segment(4, 2); // archived from the wrong server into the same directory
  auto all = wal_summary(db(), std::nullopt);
  const auto& other = cluster(all, "7999999999999999999");
  ASSERT_EQ(other.foreign_segments.size(), 1u);
  EXPECT_EQ(other.foreign_segments[0].key, "wal/000000010000000000000004");
  EXPECT_EQ(other.foreign_segments[0].directory_cluster, "7000000000000000001");
  const auto& ours = cluster(all, "7000000000000000001");
  EXPECT_TRUE(ours.foreign_segments.empty());
  ASSERT_EQ(ours.problems.size(), 1u);
  EXPECT_NE(ours.problems[0].find("7999999999999999999"), std::string::npos);
  EXPECT_TRUE(has_problems(all));
}

TEST_F(WalSummaryTest, CleanArchiveHasNoProblems)
{
  for (std::uint64_t s : {1, 2, 3})
    segment(s);
  backup("whole", 1, 2);
  auto all = wal_summary(db(), std::nullopt);
  EXPECT_FALSE(has_problems(all));
  EXPECT_TRUE(all[0].backups[0].complete);
}

// Holes, a second copy, a damaged and a .partial segment: the ranges count the
// damaged one (it is archived) but a base backup cannot use it, for the whole
// fleet and for one cluster alike.
TEST_F(WalSummaryTest, RangesAndBackupsAroundHolesCopiesAndDamagedSegments)
{
  for (std::uint64_t s : {1, 2, 3, 6, 9})
    segment(s);
  odd_segment(2, "wal/000000010000000000000002.gz", std::nullopt, 0);
  odd_segment(5, "wal/000000010000000000000005", "page address does not match the name", 0);
  odd_segment(7, "wal/000000010000000000000007.partial", std::nullopt, 1);
  segment(4, 2, "other/"); // another cluster's segments do not fill ours
  segment(8, 2, "other/");
  backup("early", 1, 3);
  backup("damaged", 5, 6); // 5 is archived but damaged
  backup("across", 6, 7);  // 7 is only .partial
  backup("carried", 8, 9); // 8 is missing
  for (const auto& all :
       {wal_summary(db(), std::nullopt), wal_summary(db(), std::string("7000000000000000001"))}) {
    const auto& c = cluster(all, "7000000000000000001");
    ASSERT_EQ(c.timelines.size(), 1u);
    const auto& t = c.timelines[0];
    EXPECT_EQ(t.segments, 7u); // 1, 2, 2 (copy), 3, 5, 6, 9
    EXPECT_EQ(t.partial_segments, 1u);
    ASSERT_EQ(t.ranges.size(), 3u);
    EXPECT_EQ(t.ranges[0].first_segno, 1u);
    EXPECT_EQ(t.ranges[0].last_segno, 3u);
    EXPECT_EQ(t.ranges[1].first_segno, 5u);
    EXPECT_EQ(t.ranges[1].last_segno, 6u);
    EXPECT_EQ(t.ranges[2].first_segno, 9u);
    ASSERT_EQ(t.gaps.size(), 2u);
    EXPECT_EQ(t.gaps[0].first_name, "000000010000000000000004");
    EXPECT_EQ(t.gaps[1].first_name, "000000010000000000000007");
    EXPECT_EQ(t.gaps[1].last_name, "000000010000000000000008");
    ASSERT_EQ(c.problems.size(), 1u);
    EXPECT_EQ(c.problems[0], "wal/000000010000000000000005: page address does not match the name");
    ASSERT_EQ(c.backups.size(), 4u);
    EXPECT_TRUE(c.backups[0].complete);
    EXPECT_EQ(c.backups[1].missing, "000000010000000000000005");
    EXPECT_EQ(c.backups[2].missing, "000000010000000000000007");
    EXPECT_EQ(c.backups[3].missing, "000000010000000000000008");
  }
}

// A present segment with no cluster (unreadable header) and a missing one.
TEST_F(WalSummaryTest, MissingSegmentsAreNotInRangesAndHeaderlessOnesStandApart)
{
  for (std::uint64_t s : {1, 2, 3})
    segment(s);
  db().exec("UPDATE objects SET missing_since = 't' WHERE key = 'wal/000000010000000000000002'");
  db().prepare("INSERT INTO objects (repository_id, key, size, kind, first_seen, last_seen)"
               " VALUES (1, 'wal/000000010000000000000009', 100, 'wal_segment', 't', 't')")
      .run();
  db().prepare("INSERT INTO wal_segments (object_id, cluster_id, timeline, segno, segment_size,"
               " name) VALUES (?, NULL, 1, 9, ?, '000000010000000000000009')")
      .bind_all(db().last_insert_id(), kSeg)
      .run();
  backup("needs-2", 1, 2);
  auto all = wal_summary(db(), std::nullopt);
  ASSERT_EQ(all.size(), 2u);
  const auto& c = cluster(all, "7000000000000000001");
  ASSERT_EQ(c.timelines[0].ranges.size(), 2u);
  EXPECT_EQ(c.timelines[0].segments, 2u);
  EXPECT_EQ(c.backups[0].missing, "000000010000000000000002");
  const ClusterWal* unknown = nullptr;
  for (const auto& each : all)
    if (!each.system_identifier) unknown = &each;
  ASSERT_NE(unknown, nullptr);
  ASSERT_EQ(unknown->timelines.size(), 1u);
  EXPECT_EQ(unknown->timelines[0].ranges[0].first_segno, 9u);
}

} // namespace
} // namespace lastgood::catalog
