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
  void segment(std::uint64_t segno, std::int64_t cluster = 1)
  {
    auto name = pg::wal_file_name(1, segno, kSeg);
    db().prepare("INSERT INTO objects (repository_id, key, size, kind, first_seen, last_seen)"
                 " VALUES (1, ?, 100, 'wal_segment', 't', 't')")
        .bind(1, "wal/" + name)
        .run();
    db().prepare(
            "INSERT INTO wal_segments (object_id, cluster_id, timeline, segno, segment_size, name)"
            " VALUES (?, ?, 1, ?, ?, ?)")
        .bind_all(db().last_insert_id(), cluster, segno, kSeg, name)
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

} // namespace
} // namespace lastgood::catalog
