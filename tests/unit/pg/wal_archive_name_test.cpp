#include "pg/wal_archive_name.hpp"

#include <gtest/gtest.h>
#include <string>
#include <vector>

namespace lastgood::pg {
namespace {

constexpr std::uint64_t k16MiB = 16u << 20;
const std::string kSha1 = "0123456789abcdef0123456789abcdef01234567";

TEST(WalArchiveName, Segment)
{
  auto n = parse_wal_archive_name("000000010000000000000002");
  ASSERT_TRUE(n);
  EXPECT_EQ(n->kind, WalFileKind::Segment);
  EXPECT_EQ(n->timeline, 1u);
  EXPECT_EQ(n->xlogid, 0u);
  EXPECT_EQ(n->xlogseg, 2u);
  EXPECT_EQ(n->compression, "");
  EXPECT_EQ(n->canonical, "000000010000000000000002");
  EXPECT_EQ(n->segno(k16MiB), 2u);
}

TEST(WalArchiveName, LowerCaseHexIsCanonicalisedToUpperCase)
{
  auto n = parse_wal_archive_name("0000000a000000a10000000b");
  ASSERT_TRUE(n);
  EXPECT_EQ(n->timeline, 10u);
  EXPECT_EQ(n->xlogid, 0xA1u);
  EXPECT_EQ(n->xlogseg, 0xBu);
  EXPECT_EQ(n->canonical, "0000000A000000A10000000B");
  EXPECT_EQ(n->segno(k16MiB), 0xA1u * 256 + 0xB);
  EXPECT_EQ(n->segno(64u << 20), 0xA1u * 64 + 0xB);
}

TEST(WalArchiveName, CompressedSegments)
{
  for (const char* ext : {"gz", "zst", "lz4", "bz2", "xz"}) {
    auto n = parse_wal_archive_name(std::string("00000003000000000000000F.") + ext);
    ASSERT_TRUE(n) << ext;
    EXPECT_EQ(n->kind, WalFileKind::Segment);
    EXPECT_EQ(n->compression, ext);
    EXPECT_EQ(n->canonical, "00000003000000000000000F");
    EXPECT_EQ(n->timeline, 3u);
  }
}

TEST(WalArchiveName, Partial)
{
  auto n = parse_wal_archive_name("000000010000000000000003.partial");
  ASSERT_TRUE(n);
  EXPECT_EQ(n->kind, WalFileKind::Partial);
  EXPECT_EQ(n->xlogseg, 3u);
  EXPECT_EQ(n->canonical, "000000010000000000000003.partial");

  auto gz = parse_wal_archive_name("000000010000000000000003.partial.gz");
  ASSERT_TRUE(gz);
  EXPECT_EQ(gz->kind, WalFileKind::Partial);
  EXPECT_EQ(gz->compression, "gz");
}

TEST(WalArchiveName, TimelineHistory)
{
  auto n = parse_wal_archive_name("00000002.history");
  ASSERT_TRUE(n);
  EXPECT_EQ(n->kind, WalFileKind::TimelineHistory);
  EXPECT_EQ(n->timeline, 2u);
  EXPECT_EQ(n->canonical, "00000002.history");

  auto c = parse_wal_archive_name("0000001a.history.zst");
  ASSERT_TRUE(c);
  EXPECT_EQ(c->timeline, 0x1Au);
  EXPECT_EQ(c->compression, "zst");
  EXPECT_EQ(c->canonical, "0000001A.history");
}

TEST(WalArchiveName, BackupHistory)
{
  auto n = parse_wal_archive_name("000000020000000000000004.00000028.backup");
  ASSERT_TRUE(n);
  EXPECT_EQ(n->kind, WalFileKind::BackupHistory);
  EXPECT_EQ(n->timeline, 2u);
  EXPECT_EQ(n->xlogseg, 4u);
  EXPECT_EQ(n->backup_offset, 0x28u);
  EXPECT_EQ(n->canonical, "000000020000000000000004.00000028.backup");

  auto c = parse_wal_archive_name("000000020000000000000004.00000028.backup.gz");
  ASSERT_TRUE(c);
  EXPECT_EQ(c->kind, WalFileKind::BackupHistory);
  EXPECT_EQ(c->compression, "gz");
}

TEST(WalArchiveName, ToolSuffixAfterTheSegmentName)
{
  auto n = parse_wal_archive_name("000000010000000000000002-" + kSha1 + ".gz");
  ASSERT_TRUE(n);
  EXPECT_EQ(n->kind, WalFileKind::Segment);
  EXPECT_EQ(n->compression, "gz");
  EXPECT_EQ(n->canonical, "000000010000000000000002");

  auto plain = parse_wal_archive_name("000000010000000000000002-" + kSha1);
  ASSERT_TRUE(plain);
  EXPECT_EQ(plain->compression, "");

  for (auto name : {"000000010000000000000002.partial-" + kSha1 + ".zst",
                    "000000010000000000000002-" + kSha1 + ".partial"}) {
    auto p = parse_wal_archive_name(name);
    ASSERT_TRUE(p) << name;
    EXPECT_EQ(p->kind, WalFileKind::Partial);
  }
}

TEST(WalArchiveName, UsesTheLastPathComponent)
{
  auto n = parse_wal_archive_name("archive/db/15-1/0000000100000000/000000010000000000000002.lz4");
  ASSERT_TRUE(n);
  EXPECT_EQ(n->canonical, "000000010000000000000002");
  EXPECT_EQ(n->compression, "lz4");
}

TEST(WalArchiveName, NonWalNamesAreRejected)
{
  const std::vector<std::string> bad_names = {"",
                                              "backup_label",
                                              "archive_status",
                                              "00000001000000000000002",
                                              "0000000100000000000000020",
                                              "00000001000000000000000G",
                                              "000000000000000000000001",
                                              "00000000.history",
                                              "0000001.history",
                                              "00000001.history.txt",
                                              "000000010000000000000002.tmp",
                                              "000000010000000000000002.gz.gz",
                                              "000000010000000000000002-abc",
                                              "000000010000000000000002-" + kSha1.substr(1),
                                              "000000010000000000000002.0000028.backup",
                                              "000000010000000000000002.00000028.backup.old",
                                              "00000002.history.partial",
                                              "000000010000000000000002.00000028",
                                              "RECOVERYHISTORY",
                                              "000000010000000000000002/"};
  for (const std::string& bad : bad_names) {
    EXPECT_FALSE(parse_wal_archive_name(bad).has_value()) << bad;
  }
}

TEST(WalArchiveName, KindNames)
{
  EXPECT_EQ(to_string(WalFileKind::Segment), "segment");
  EXPECT_EQ(to_string(WalFileKind::Partial), "partial");
  EXPECT_EQ(to_string(WalFileKind::TimelineHistory), "history");
  EXPECT_EQ(to_string(WalFileKind::BackupHistory), "backup_history");
}

TEST(WalArchiveName, SegmentTimelineOfAnotherToolsRecord)
{
  EXPECT_EQ(segment_timeline("00000002000000000000000C"), 2);
  EXPECT_EQ(segment_timeline("0000000A00000001000000FF"), 10);
  EXPECT_EQ(segment_timeline("00000002.history"), std::nullopt);
  EXPECT_EQ(segment_timeline("00000000000000000000000C"), std::nullopt); // no timeline 0
  EXPECT_EQ(segment_timeline("0000000200000000000000"), std::nullopt);
  EXPECT_EQ(segment_timeline(""), std::nullopt);
}

} // namespace
} // namespace lastgood::pg
