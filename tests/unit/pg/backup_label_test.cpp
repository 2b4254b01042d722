#include "common/error.hpp"
#include "pg/backup_label.hpp"

#include <gtest/gtest.h>

namespace lastgood::pg {
namespace {

// backup_label from pg_basebackup 15.18 (-l "nightly: 2026-11-22 base").
constexpr std::string_view kPg15Label =
    "START WAL LOCATION: 0/2000028 (file 000000010000000000000002)\n"
    "CHECKPOINT LOCATION: 0/2000060\n"
    "BACKUP METHOD: streamed\n"
    "BACKUP FROM: primary\n"
    "START TIME: 2026-11-22 01:10:46 UTC\n"
    "LABEL: nightly: 2026-11-22 base\n"
    "START TIMELINE: 1\n";

// 000000020000000000000004.00000028.backup archived by PostgreSQL 15.18.
constexpr std::string_view kPg15BackupHistory =
    "START WAL LOCATION: 0/4000028 (file 000000020000000000000004)\n"
    "STOP WAL LOCATION: 0/4000100 (file 000000020000000000000004)\n"
    "CHECKPOINT LOCATION: 0/4000060\n"
    "BACKUP METHOD: streamed\n"
    "BACKUP FROM: primary\n"
    "START TIME: 2026-11-22 01:11:04 UTC\n"
    "LABEL: pg_basebackup base backup\n"
    "START TIMELINE: 2\n"
    "STOP TIME: 2026-11-22 01:11:04 UTC\n"
    "STOP TIMELINE: 2\n";

std::string error_of(std::string_view text)
{
  try {
    parse_backup_label(text);
  } catch (const ValidationError& e) {
    return e.what();
  }
  return "no exception";
}

TEST(BackupLabel, Postgres15BaseBackup)
{
  BackupLabel b = parse_backup_label(kPg15Label);
  EXPECT_EQ(b.start_lsn, Lsn::parse("0/2000028"));
  EXPECT_EQ(b.start_wal_file, "000000010000000000000002");
  EXPECT_EQ(b.checkpoint_lsn, Lsn::parse("0/2000060"));
  EXPECT_EQ(b.method, "streamed");
  EXPECT_EQ(b.backup_from, "primary");
  EXPECT_EQ(b.start_time_text, "2026-11-22 01:10:46 UTC");
  ASSERT_TRUE(b.start_time);
  EXPECT_EQ(format_rfc3339(*b.start_time), "2026-11-22T01:10:46Z");
  EXPECT_EQ(b.label, "nightly: 2026-11-22 base"); // colons survive
  EXPECT_EQ(b.start_timeline, 1u);
  EXPECT_FALSE(b.stop_lsn);
  EXPECT_FALSE(b.stop_time);
  EXPECT_FALSE(b.stop_timeline);
  EXPECT_FALSE(b.incremental_from_lsn);
}

TEST(BackupLabel, Postgres15BackupHistoryFileHasStopLines)
{
  BackupLabel b = parse_backup_label(kPg15BackupHistory);
  EXPECT_EQ(b.start_lsn, Lsn::parse("0/4000028"));
  EXPECT_EQ(b.stop_lsn, Lsn::parse("0/4000100"));
  EXPECT_EQ(b.stop_wal_file, "000000020000000000000004");
  EXPECT_EQ(b.stop_time_text, "2026-11-22 01:11:04 UTC");
  ASSERT_TRUE(b.stop_time);
  EXPECT_EQ(format_rfc3339(*b.stop_time), "2026-11-22T01:11:04Z");
  EXPECT_EQ(b.start_timeline, 2u);
  EXPECT_EQ(b.stop_timeline, 2u);
  EXPECT_EQ(b.label, "pg_basebackup base backup");
}

TEST(BackupLabel, Postgres17IncrementalBackup)
{
  BackupLabel b =
      parse_backup_label("START WAL LOCATION: 0/6000028 (file 000000010000000000000006)\n"
                         "CHECKPOINT LOCATION: 0/6000080\n"
                         "BACKUP METHOD: streamed\n"
                         "BACKUP FROM: standby\n"
                         "START TIME: 2024-11-20 10:00:00 GMT\n"
                         "LABEL: pg_basebackup base backup\n"
                         "START TIMELINE: 1\n"
                         "INCREMENTAL FROM LSN: 0/4000028\n"
                         "INCREMENTAL FROM TLI: 1\n");
  EXPECT_EQ(b.backup_from, "standby");
  EXPECT_EQ(b.incremental_from_lsn, Lsn::parse("0/4000028"));
  EXPECT_EQ(b.incremental_from_timeline, 1u);
  ASSERT_TRUE(b.start_time);
  EXPECT_EQ(format_rfc3339(*b.start_time), "2024-11-20T10:00:00Z");
}

TEST(BackupLabel, ExclusiveMasterLabelWithNamedZoneKeepsTextOnly)
{
  BackupLabel b =
      parse_backup_label("START WAL LOCATION: 0/9000028 (file 000000010000000000000009)\n"
                         "CHECKPOINT LOCATION: 0/9000060\n"
                         "BACKUP METHOD: pg_start_backup\n"
                         "BACKUP FROM: master\n"
                         "START TIME: 2020-06-01 12:00:00 CEST\n"
                         "LABEL: weekly\n");
  EXPECT_EQ(b.method, "pg_start_backup");
  EXPECT_EQ(b.backup_from, "master");
  EXPECT_EQ(b.start_time_text, "2020-06-01 12:00:00 CEST");
  EXPECT_FALSE(b.start_time); // a named zone cannot be resolved without tzdata
  EXPECT_FALSE(b.start_timeline);
}

// Found by fuzzing (tests/fuzz/regressions/classify): date::parse read this
// into NaN seconds and converted them to an integer (UBSan: undefined
// behaviour). A malformed time keeps its text and has no time.
TEST(BackupLabel, MalformedStartTimeKeepsTextOnly)
{
  BackupLabel b =
      parse_backup_label("START WAL LOCATION: 0/9000028 (file 000000010000000000000009)\n"
                         "START TIME: 2026-11-26 00:2(7:29 UTC\n");
  EXPECT_EQ(b.start_time_text, "2026-11-26 00:2(7:29 UTC");
  EXPECT_FALSE(b.start_time);
}

TEST(BackupLabel, NumericZone)
{
  BackupLabel b =
      parse_backup_label("START WAL LOCATION: 0/9000028 (file 000000010000000000000009)\n"
                         "START TIME: 2020-06-01 12:00:00 +02\n");
  ASSERT_TRUE(b.start_time);
  EXPECT_EQ(format_rfc3339(*b.start_time), "2020-06-01T10:00:00Z");
}

TEST(BackupLabel, PgRewindLabelHasNoLabelLine)
{
  BackupLabel b =
      parse_backup_label("START WAL LOCATION: 1/A2000028 (file 0000000300000001000000A2)\n"
                         "CHECKPOINT LOCATION: 1/A2000060\n"
                         "BACKUP METHOD: pg_rewind\n"
                         "BACKUP FROM: standby\n"
                         "START TIME: 2024-03-04 05:06:07 UTC\n");
  EXPECT_EQ(b.method, "pg_rewind");
  EXPECT_EQ(b.label, "");
  EXPECT_EQ(b.start_lsn, Lsn::parse("1/A2000028"));
  EXPECT_EQ(b.start_wal_file, "0000000300000001000000A2");
}

TEST(BackupLabel, CrLfAndUnknownKeysAndMissingFilePart)
{
  BackupLabel b = parse_backup_label("START WAL LOCATION: 0/2000028\r\n"
                                     "SOMETHING NEW: 42\r\n"
                                     "LABEL: a: b: c\r\n");
  EXPECT_EQ(b.start_lsn, Lsn::parse("0/2000028"));
  EXPECT_EQ(b.start_wal_file, "");
  EXPECT_EQ(b.label, "a: b: c");
}

TEST(BackupLabel, MissingStartLineThrows)
{
  EXPECT_NE(error_of("CHECKPOINT LOCATION: 0/2000060\n").find("START WAL LOCATION"),
            std::string::npos);
  EXPECT_NE(error_of("").find("START WAL LOCATION"), std::string::npos);
}

TEST(BackupLabel, MalformedLinesThrowNamingTheLine)
{
  std::string e = error_of("LABEL: x\nSTART WAL LOCATION: 0/XYZ (file 000000010000000000000002)\n");
  EXPECT_NE(e.find("line 2"), std::string::npos) << e;
  EXPECT_NE(e.find("0/XYZ"), std::string::npos) << e;

  e = error_of("START WAL LOCATION: 0/2000028 (file 0000000100000000000002)\n");
  EXPECT_NE(e.find("(file <24 hex digits>)"), std::string::npos) << e;
  e = error_of("START WAL LOCATION: 0/2000028 (file 00000001000000000000000Z)\n");
  EXPECT_NE(e.find("line 1"), std::string::npos) << e;

  e = error_of("START WAL LOCATION: 0/2000028\nCHECKPOINT LOCATION: nowhere\n");
  EXPECT_NE(e.find("line 2"), std::string::npos) << e;
  e = error_of("START WAL LOCATION: 0/2000028\nSTART TIMELINE: one\n");
  EXPECT_NE(e.find("timeline"), std::string::npos) << e;
  EXPECT_NE(error_of("START WAL LOCATION: 0/2000028\nSTOP TIMELINE: 0\n").find("line 2"),
            std::string::npos);
  EXPECT_NE(error_of("START WAL LOCATION: 0/2000028\nSTOP WAL LOCATION: 0/\n").find("line 2"),
            std::string::npos);
}

} // namespace
} // namespace lastgood::pg
