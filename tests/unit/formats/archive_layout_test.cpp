#include "formats/pgbackrest/archive_layout.hpp"

#include <gtest/gtest.h>

namespace pgbr = lastgood::formats::pgbackrest;
using Kind = pgbr::ArchiveFileName::Kind;

TEST(ArchiveLayout, ParsesEveryKindOfName)
{
  auto seg = pgbr::parse_archive_file_name(
      "000000010000000000000008-4cb832cf0c50e479968138455f3c2456e3473062.gz");
  ASSERT_TRUE(seg);
  EXPECT_EQ(seg->kind, Kind::segment);
  EXPECT_EQ(seg->wal_name, "000000010000000000000008");
  EXPECT_EQ(seg->sha1, "4cb832cf0c50e479968138455f3c2456e3473062");
  EXPECT_EQ(seg->compression, pgbr::CompressType::gz);

  auto plain = pgbr::parse_archive_file_name(
      "000000010000000000000008-4cb832cf0c50e479968138455f3c2456e3473062");
  ASSERT_TRUE(plain);
  EXPECT_EQ(plain->compression, pgbr::CompressType::none);

  auto partial = pgbr::parse_archive_file_name(
      "000000010000000000000009.partial-4cb832cf0c50e479968138455f3c2456e3473062.zst");
  ASSERT_TRUE(partial);
  EXPECT_EQ(partial->kind, Kind::partial);
  EXPECT_EQ(partial->compression, pgbr::CompressType::zst);

  auto backup = pgbr::parse_archive_file_name("000000010000000000000009.00000028.backup");
  ASSERT_TRUE(backup);
  EXPECT_EQ(backup->kind, Kind::backup);
  EXPECT_EQ(backup->backup_offset, "00000028");

  auto history = pgbr::parse_archive_file_name("00000002.history");
  ASSERT_TRUE(history);
  EXPECT_EQ(history->kind, Kind::history);
  EXPECT_EQ(history->wal_name, "00000002");
}

TEST(ArchiveLayout, RejectsOtherNames)
{
  for (const char* name :
       {"archive.info", "000000010000000000000008", "000000010000000000000008-abc",
        "000000010000000000000008-4cb832cf0c50e479968138455f3c2456e3473062.xz",
        "000000010000000000000008-4CB832CF0C50E479968138455F3C2456E3473062",
        "0000000g0000000000000008-4cb832cf0c50e479968138455f3c2456e3473062", "0000000100000000"})
    EXPECT_FALSE(pgbr::parse_archive_file_name(name)) << name;
}

TEST(ArchiveLayout, Keys)
{
  EXPECT_EQ(pgbr::segment_dir_key("demo", "15-1", "000000010000000000000008"),
            "archive/demo/15-1/0000000100000000");
}
