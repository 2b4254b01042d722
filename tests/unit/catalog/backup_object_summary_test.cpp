// `show` summarises a large backup: counts and bytes by role and kind, the WAL it carries,
// and every missing or damaged object kept by name (a summary must not hide damage).

#include "catalog/backup_object_summary.hpp"

#include <gtest/gtest.h>

namespace lastgood::catalog {
namespace {

BackupObjectRow object(std::string key, std::string role, std::string kind, std::uint64_t size)
{
  BackupObjectRow o;
  o.key = std::move(key);
  o.role = std::move(role);
  o.kind = std::move(kind);
  o.size = size;
  return o;
}

TEST(BackupObjectSummary, CountsByRoleAndKindWithWalRangeAndFlaggedObjects)
{
  std::vector<BackupObjectRow> objects = {
      object("b/backup_label", "label", "backup_label", 200),
      object("b/base/1/1259", "file", "base_file", 1000),
      object("b/base/1/1249", "file", "base_file", 3000),
      object("b/pg_wal/000000010000000000000004", "file", "backup_wal", 16),
      object("b/pg_wal/000000010000000000000003", "file", "backup_wal", 16),
  };
  objects[2].missing_since = "2026-11-22T02:00:00Z";
  objects[1].problem = "unreadable";

  const auto s = summarise_objects(objects);
  EXPECT_EQ(s.count, 5u);
  EXPECT_EQ(s.bytes, 4232u);
  ASSERT_EQ(s.groups.size(), 3u);
  EXPECT_EQ(s.groups[1].role, "file");
  EXPECT_EQ(s.groups[1].kind, "base_file");
  EXPECT_EQ(s.groups[1].count, 2u);
  EXPECT_EQ(s.groups[1].bytes, 4000u);
  EXPECT_EQ(s.wal_files, 2u);
  EXPECT_EQ(s.first_wal, "000000010000000000000003");
  EXPECT_EQ(s.last_wal, "000000010000000000000004");
  ASSERT_EQ(s.flagged.size(), 2u);
  EXPECT_EQ(s.flagged[0].key, "b/base/1/1259");
  EXPECT_EQ(s.flagged[1].key, "b/base/1/1249");
}

TEST(BackupObjectSummary, NoWalNoRange)
{
  const auto s = summarise_objects({object("shop.dump", "dump", "pg_dump_custom", 10)});
  EXPECT_FALSE(s.first_wal);
  EXPECT_EQ(s.wal_files, 0u);
  EXPECT_TRUE(s.flagged.empty());
}

} // namespace
} // namespace lastgood::catalog
