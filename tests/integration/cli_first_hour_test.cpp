// Issue 13, the first hour of a new user, through the real binary: a mistyped
// command or flag names the nearest one (exit 2).

#include "tests/support/run_command.hpp"

#include <gtest/gtest.h>
#include <string>

namespace lastgood {
namespace {

using testing::run_lastgood;

struct Mistake
{
  std::string args, message;
};

TEST(CliFirstHour, UnknownCommandsAndFlagsNameTheNearestOneWithExitTwo)
{
  const Mistake mistakes[] = {
      {"bakups", "lastgood: unknown command 'bakups'; did you mean 'backups'?\n"},
      // pgbackrest's `info`: lastgood lists backups with `backups` (or `status`, once there is
      // one).
      {"info", "lastgood: unknown command 'info'; did you mean '"},
      {"list-backups", "lastgood: unknown command 'list-backups'; did you mean 'backups'?\n"},
      {"repo ad nightly /tmp", "lastgood: unknown command 'repo ad'; did you mean 'repo add'?\n"},
      {"hold lst", "lastgood: unknown command 'hold lst'; did you mean 'hold list'?\n"},
      {"backups --jsno", "lastgood: unknown flag '--jsno'; did you mean '--json'?\n"},
      {"restore --pgdat /tmp/x --target-time 2026-11-22T02:00:00Z",
       "lastgood: unknown flag '--pgdat'; did you mean '--pgdata'?\n"},
      {"backups --catlog x.db", "lastgood: unknown flag '--catlog'; did you mean '--catalog'?\n"},
      {"xyzzy",
       "lastgood: unknown command 'xyzzy'; run 'lastgood --help' for the list of commands\n"},
      {"backups --frobnicate",
       "lastgood: unknown flag '--frobnicate'; run 'lastgood backups --help' for its flags\n"},
  };
  for (const auto& m : mistakes) {
    SCOPED_TRACE("lastgood " + m.args);
    const auto r = run_lastgood(m.args);
    EXPECT_EQ(r.exit_code, 2) << r.err;
    EXPECT_EQ(r.err.substr(0, m.message.size()), m.message) << r.err;
    EXPECT_EQ(r.err.find("A subcommand is required"), std::string::npos) << r.err;
    EXPECT_EQ(r.out, "");
  }
}

TEST(CliFirstHour, InfoSuggestsACommandThatExists)
{
  const auto r = run_lastgood("info");
  EXPECT_EQ(r.exit_code, 2);
  const auto quote = r.err.find("did you mean '");
  ASSERT_NE(quote, std::string::npos) << r.err;
  const auto start = quote + std::string("did you mean '").size();
  const std::string suggested = r.err.substr(start, r.err.find('\'', start) - start);
  EXPECT_EQ(run_lastgood(suggested + " --help").exit_code, 0) << suggested;
}

TEST(CliFirstHour, OtherUsageErrorsKeepTheirOwnMessage)
{
  const auto missing_value = run_lastgood("backups --database");
  EXPECT_EQ(missing_value.exit_code, 2);
  EXPECT_NE(missing_value.err.find("--database"), std::string::npos) << missing_value.err;
  EXPECT_EQ(missing_value.err.find("unknown"), std::string::npos) << missing_value.err;

  const auto no_command = run_lastgood("");
  EXPECT_EQ(no_command.exit_code, 2);
  EXPECT_NE(no_command.err.find("A subcommand is required"), std::string::npos) << no_command.err;

  const auto extra = run_lastgood("show a b");
  EXPECT_EQ(extra.exit_code, 2);
  EXPECT_EQ(extra.err.find("unknown command"), std::string::npos) << extra.err;
}

} // namespace
} // namespace lastgood
