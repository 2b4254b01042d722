// Parsing pg_waldump --rmgr=Transaction output (lines as PostgreSQL 15 prints them with TZ=UTC).

#include "pg/waldump_times.hpp"

#include <gtest/gtest.h>

namespace lastgood::pg {
namespace {

TEST(WaldumpTimes, FirstAndLatestCommitOrAbortWithTheirLsns)
{
  const char* out = "rmgr: Transaction len (rec/tot):     34/    34, tx:        827, lsn: "
                    "0/060268F8, prev 0/060268C0, desc: COMMIT "
                    "2026-11-22 04:11:02.050928 UTC\n"
                    "rmgr: Transaction len (rec/tot):     66/    66, tx:          0, lsn: "
                    "0/06026A00, prev 0/060269C0, desc: "
                    "ASSIGNMENT xtop 830: subxacts: 831\n"
                    "rmgr: Transaction len (rec/tot):     34/    34, tx:        828, lsn: "
                    "0/06026B00, prev 0/06026A00, desc: ABORT "
                    "2026-11-22 04:11:03 UTC\n"
                    "rmgr: Transaction len (rec/tot):     34/    34, tx:        829, lsn: "
                    "0/06026C00, prev 0/06026B00, desc: COMMIT "
                    "2026-11-22 04:11:02.9 UTC; inval msgs: catcache 7\n";
  auto t = parse_waldump_commits(out);
  EXPECT_EQ(t.commits, 3u);
  EXPECT_EQ(t.first_time, "2026-11-22T04:11:02.050928Z");
  EXPECT_EQ(t.first_lsn, 0x060268F8u);
  EXPECT_EQ(t.latest_time, "2026-11-22T04:11:03.000000Z");
  EXPECT_EQ(t.latest_lsn, 0x06026B00u);
}

TEST(WaldumpTimes, NoTransactionRecordsMeansNoTimes)
{
  auto t = parse_waldump_commits("");
  EXPECT_EQ(t.commits, 0u);
  EXPECT_FALSE(t.first_time);
  EXPECT_FALSE(t.latest_time);
}

// Found by fuzzing (tests/fuzz/regressions/waldump_commits): an LSN half of
// more than 8 hex digits made the parser throw; such a line is not
// pg_waldump's and is skipped like any other.
TEST(WaldumpTimes, LineWithAnImpossibleLsnIsSkipped)
{
  auto t =
      parse_waldump_commits("rmgr: Transaction len (rec/tot):     34/    34, tx:        827, lsn: "
                            "0/06026C066, prev 0/060268C0, desc: COMMIT "
                            "2026-11-22 04:11:02.050928 UTC\n"
                            "rmgr: Transaction len (rec/tot):     34/    34, tx:        828, lsn: "
                            "0/06026D00, prev 0/06026C00, desc: COMMIT "
                            "2026-11-22 04:11:03 UTC\n");
  EXPECT_EQ(t.commits, 1u);
  EXPECT_EQ(t.first_lsn, 0x06026D00u);
}

} // namespace
} // namespace lastgood::pg
