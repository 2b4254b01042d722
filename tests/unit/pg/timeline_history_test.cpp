#include "common/error.hpp"
#include "pg/timeline_history.hpp"

#include <gtest/gtest.h>

namespace lastgood::pg {
namespace {

// Written by PostgreSQL 15.18 after a PITR to a recovery_target_time: the
// time reason ends in '\n', so the file ends with a blank line.
constexpr std::string_view kTimeline2 = "1\t0/30017E0\tbefore 2026-11-22 01:10:53.526775+00\n\n";
// Its child: the parent's file copied, then "\n" and the new entry.
constexpr std::string_view kTimeline3 = "1\t0/30017E0\tbefore 2026-11-22 01:10:53.526775+00\n"
                                        "\n\n2\t0/5000000\tno recovery target specified\n";

std::string error_of(std::string_view text)
{
  try {
    parse_timeline_history(text);
  } catch (const ValidationError& e) {
    return e.what();
  }
  return "no exception";
}

TEST(TimelineHistory, RealPostgres15FileAfterTimeTargetRecovery)
{
  auto entries = parse_timeline_history(kTimeline2);
  ASSERT_EQ(entries.size(), 1u);
  EXPECT_EQ(entries[0].parent_timeline, 1u);
  EXPECT_EQ(entries[0].switch_lsn, Lsn::parse("0/30017E0"));
  EXPECT_EQ(entries[0].reason, "before 2026-11-22 01:10:53.526775+00");
}

TEST(TimelineHistory, RealPostgres15ChildFileKeepsParentEntriesAndSkipsBlankLines)
{
  auto entries = parse_timeline_history(kTimeline3);
  ASSERT_EQ(entries.size(), 2u);
  EXPECT_EQ(entries[0].parent_timeline, 1u);
  EXPECT_EQ(entries[1].parent_timeline, 2u);
  EXPECT_EQ(entries[1].switch_lsn, Lsn::parse("0/5000000"));
  EXPECT_EQ(entries[1].reason, "no recovery target specified");
}

TEST(TimelineHistory, CommentsWhitespaceAndCrLfAreIgnored)
{
  auto entries = parse_timeline_history("# made by hand\r\n"
                                        "   \t\r\n"
                                        "  # indented comment\n"
                                        "1\t0/1000000\tat restore point \"x\"\r\n"
                                        "4\t1/A0\n"); // no reason, no trailing tab
  ASSERT_EQ(entries.size(), 2u);
  EXPECT_EQ(entries[0].reason, "at restore point \"x\"");
  EXPECT_EQ(entries[1].parent_timeline, 4u);
  EXPECT_EQ(entries[1].switch_lsn, Lsn::parse("1/A0"));
  EXPECT_EQ(entries[1].reason, "");
}

TEST(TimelineHistory, EmptyFileHasNoEntries)
{
  EXPECT_TRUE(parse_timeline_history("").empty());
  EXPECT_TRUE(parse_timeline_history("\n\n# nothing\n").empty());
}

TEST(TimelineHistory, ErrorsNameTheLine)
{
  EXPECT_NE(error_of("x\t0/1\treason\n").find("line 1"), std::string::npos);
  std::string bad_lsn = error_of("1\t0/1\tok\n\n2\tnot-an-lsn\tfoo\n");
  EXPECT_NE(bad_lsn.find("line 3"), std::string::npos) << bad_lsn;
  EXPECT_NE(bad_lsn.find("not-an-lsn"), std::string::npos) << bad_lsn;
  EXPECT_NE(error_of("1\n").find("LSN"), std::string::npos);
  EXPECT_NE(error_of("1x\t0/1\n").find("line 1"), std::string::npos);
  EXPECT_NE(error_of("0\t0/1\treason\n").find("timeline ID 0"), std::string::npos);
}

TEST(TimelineHistory, TimelinesMustIncrease)
{
  std::string e = error_of("2\t0/5000000\ta\n1\t0/6000000\tb\n");
  EXPECT_NE(e.find("line 2"), std::string::npos) << e;
  EXPECT_NE(e.find("increase"), std::string::npos) << e;
  EXPECT_NE(error_of("1\t0/1\ta\n1\t0/2\tb\n").find("increase"), std::string::npos);
}

} // namespace
} // namespace lastgood::pg
