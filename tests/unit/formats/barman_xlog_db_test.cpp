#include "formats/barman/xlog_db.hpp"

#include <gtest/gtest.h>

namespace lastgood::formats::barman {
namespace {

TEST(BarmanXlogDb, RealLinesOldFormatAndDamage)
{
  XlogDb db = parse_xlog_db("000000010000000000000002\t16461\t1795675620.9555008\tgzip\n"
                            "000000010000000000000002.00000028.backup\t197\t1795675621.14\tgzip\n"
                            "00000002.history\t42\t1795675622.0\tNone\n"
                            "000000010000000000000003 16451 1795675628.5\n" // Barman < 1.2
                            "\n"
                            "000000010000000000000004\tbig\t1.0\tgzip\n"
                            "not-a-wal\t1\t1.0\tgzip\n"
                            "000000010000000000000005\t1\n");
  ASSERT_EQ(db.entries.size(), 4u);
  EXPECT_EQ(db.entries[0].name, "000000010000000000000002");
  EXPECT_EQ(db.entries[0].size, 16461u);
  EXPECT_DOUBLE_EQ(db.entries[0].time, 1795675620.9555008);
  EXPECT_EQ(db.entries[0].compression, "gzip");
  EXPECT_EQ(db.entries[2].compression, "");
  EXPECT_EQ(db.entries[3].compression, "");
  ASSERT_EQ(db.malformed.size(), 3u);
  EXPECT_EQ(db.malformed[0], "line 6: size 'big' is not a number");
  EXPECT_EQ(db.malformed[1], "line 7: 'not-a-wal' is not a WAL file name");
  EXPECT_EQ(db.malformed[2], "line 8: expected name, size, time and compression, found 2 fields");
}

} // namespace
} // namespace lastgood::formats::barman
