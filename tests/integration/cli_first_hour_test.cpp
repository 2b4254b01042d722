// Issue 13, the first hour of a new user, through the real binary: a mistyped
// command or flag names the nearest one (exit 2), and tables keep their
// columns apart however long a backup ID is.

#include "tests/support/run_command.hpp"
#include "tests/support/temp_dir.hpp"

#include <gtest/gtest.h>
#include <string>

namespace lastgood {
namespace {

using testing::run_lastgood;
using testing::shell_quote;
using testing::TempDir;

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
      // Two edits from "hold", but meant as --help.
      {"help",
       "lastgood: unknown command 'help'; run 'lastgood --help' for the list of commands\n"},
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

// A plain dump made with `pg_dump -Fp -C` names its database; a 24-character
// name makes a 43-character backup ID, longer than the old 32-wide column.
std::string plain_dump_of(const std::string& database)
{
  return "--\n-- PostgreSQL database dump\n--\n\n"
         "-- Dumped from database version 15.18 (Debian 15.18-0+deb12u1)\n"
         "-- Dumped by pg_dump version 15.18 (Debian 15.18-0+deb12u1)\n\n"
         "CREATE DATABASE " +
         database + " WITH TEMPLATE = template0 ENCODING = 'UTF8';\n\n\\connect " + database +
         "\n--\n-- PostgreSQL database dump complete\n--\n\n";
}

TEST(CliFirstHour, ALongBackupIdNeverRunsIntoTheNextColumn)
{
  TempDir home;
  home.write("repo/archive.sql", plain_dump_of("customer_orders_archive_2026"));
  const std::string catalog =
      "--catalog " + shell_quote((home.path() / "catalog.db").string()) + " ";
  ASSERT_EQ(
      run_lastgood(catalog + "repo add nightly " + shell_quote((home.path() / "repo").string()))
          .exit_code,
      0);
  const auto scan = run_lastgood(catalog + "scan");
  ASSERT_EQ(scan.exit_code, 0) << scan.err;

  const auto listed = run_lastgood(catalog + "backups");
  ASSERT_EQ(listed.exit_code, 0) << listed.err;
  const auto id_at = listed.out.find("-customer-orders-archive-");
  ASSERT_NE(id_at, std::string::npos) << listed.out;
  const std::string line =
      listed.out.substr(listed.out.rfind('\n', id_at) + 1,
                        listed.out.find('\n', id_at) - listed.out.rfind('\n', id_at) - 1);
  const std::string id = line.substr(0, line.find(' '));
  EXPECT_GT(id.size(), 32u) << line;
  EXPECT_EQ(line.substr(id.size(), 2), "  ") << line;
  EXPECT_EQ(line.substr(id.size() + 2, std::string("unverified").size()), "unverified") << line;
  // The header's next column starts where the row's does.
  const std::string header = listed.out.substr(0, listed.out.find('\n'));
  EXPECT_EQ(header.find("STATUS"), id.size() + 2) << listed.out;
}

} // namespace
} // namespace lastgood
