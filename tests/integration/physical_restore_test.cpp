// restore --pgdata against the real fixture: a non-empty directory is refused
// untouched, --dry-run changes nothing, and a PITR with --start recovers a real
// PostgreSQL (as the unprivileged user, WAL through wal-fetch) to exactly the
// rows committed before the target, paused there for inspection.

#include "pg/child_process.hpp"
#include "pg/pg_connection.hpp"
#include "tests/support/run_command.hpp"
#include "tests/support/temp_dir.hpp"

#include <filesystem>
#include <gtest/gtest.h>
#include <map>
#include <nlohmann/json.hpp>
#include <pqxx/pqxx>
#include <unistd.h>

namespace lastgood {
namespace {

namespace fs = std::filesystem;
using nlohmann::json;
using namespace std::chrono_literals;

class PhysicalRestore : public ::testing::Test
{
protected:
  void SetUp() override
  {
    if (testing::artifacts_dir().empty())
      GTEST_SKIP() << "LASTGOOD_ARTIFACTS not set (run through ctest)";
    m_expected = json::parse(testing::read_file(testing::artifacts_dir() / "expected.json"));
    fs::permissions(m_home.path(),
                    fs::perms::owner_all | fs::perms::group_exec | fs::perms::others_exec);
    ASSERT_EQ(lastgood("repo add arch " +
                       testing::shell_quote((testing::artifacts_dir() / "repo").string()))
                  .exit_code,
              0);
    ASSERT_EQ(lastgood("scan -q").exit_code, 0);
  }
  void TearDown() override
  {
    // Stop a server a test started, whatever happened.
    if (fs::exists(pgdata() / "postmaster.pid"))
      pg::run_process({.argv = {pg::find_pg_program("pg_ctl"), "-D", pgdata().string(), "-m",
                                "immediate", "stop"},
                       .run_as_user = ::geteuid() == 0 ? "postgres" : "",
                       .cwd = "/",
                       .timeout = 60s});
  }
  testing::CommandResult lastgood(const std::string& args)
  {
    return testing::run_lastgood(
        "--catalog " + testing::shell_quote((m_home.path() / "catalog.db").string()) + " " + args);
  }
  fs::path pgdata() const { return m_home.path() / "pgdata"; }
  const json& mark(const std::string& name)
  {
    for (const auto& m : m_expected["marks"])
      if (m["name"] == name) return m;
    throw std::runtime_error("no mark " + name);
  }

  testing::TempDir m_home;
  json m_expected;
};

TEST_F(PhysicalRestore, NonEmptyDirectoryIsRefusedUntouched)
{
  m_home.write("pgdata/keep", "mine");
  auto r = lastgood("restore --pgdata " + pgdata().string() + " --target-time " +
                    std::string(mark("after-tar-1")["time"]));
  EXPECT_EQ(r.exit_code, 2) << r.out << r.err;
  EXPECT_NE(r.err.find("is not empty"), std::string::npos) << r.err;
  EXPECT_EQ(std::distance(fs::directory_iterator(pgdata()), fs::directory_iterator()), 1);
  EXPECT_EQ(testing::read_file(pgdata() / "keep"), "mine");
}

TEST_F(PhysicalRestore, DryRunPlansAndChangesNothing)
{
  auto r = lastgood("restore --json --dry-run --pgdata " + pgdata().string() + " --target-time " +
                    std::string(mark("after-tar-1")["time"]));
  ASSERT_EQ(r.exit_code, 0) << r.out << r.err;
  auto doc = json::parse(r.out);
  EXPECT_EQ(doc["outcome"], "planned");
  EXPECT_EQ(doc["plan"]["reachable"], true) << doc["plan"].dump(2);
  EXPECT_NE(std::string(doc["restore_command"]).find(" wal-fetch %f %p"), std::string::npos);
  EXPECT_FALSE(fs::exists(pgdata()));
}

TEST_F(PhysicalRestore, PitrWithStartReachesExactlyTheCommittedRows)
{
  const auto& target = mark("after-tar-1");
  auto r = lastgood("restore --json --start --pgdata " + pgdata().string() + " --target-time " +
                    std::string(target["time"]));
  ASSERT_EQ(r.exit_code, 0) << r.out << r.err;
  auto doc = json::parse(r.out);
  EXPECT_EQ(doc["outcome"], "pass") << doc.dump(2);
  EXPECT_NE(
      std::string(doc["recovery_point"].value("stop", "")).find("recovery stopping before commit"),
      std::string::npos)
      << doc["recovery_point"].dump();
  const int port = doc["recovery_point"]["port"];
  auto conn = pg::connect("host=/tmp port=" + std::to_string(port) + " user=postgres dbname=shop");
  pqxx::nontransaction tx(*conn);
  EXPECT_TRUE(tx.exec1("SELECT pg_is_in_recovery()")[0].as<bool>())
      << "paused at the target (target-action pause)";
  for (const auto& [table, rows] : target["shop_row_counts"].items())
    EXPECT_EQ(tx.exec1("SELECT count(*) FROM " + table)[0].as<std::int64_t>(),
              rows.get<std::int64_t>())
        << table;
  EXPECT_TRUE(doc["run"].is_number()) << "the run is recorded";
}

// Issue 13: the human output names where recovery stopped (no raw JSON) and
// gives a psql line that connects and a pg_ctl line that stops the server.
TEST_F(PhysicalRestore, StartSaysWhereRecoveryStoppedHowToConnectAndHowToStop)
{
  auto r = lastgood("restore --start --pgdata " + pgdata().string() + " --target-time " +
                    std::string(mark("after-tar-1")["time"]));
  ASSERT_EQ(r.exit_code, 0) << r.out << r.err;
  EXPECT_EQ(r.out.find('{'), std::string::npos) << "raw JSON in: " << r.out;
  EXPECT_NE(r.out.find("\n  reached\n"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("    stopped "), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("before commit"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("    consistent at "), std::string::npos) << r.out;
  auto line_after = [&](const std::string& label) {
    const auto at = r.out.find("\n  " + label);
    if (at == std::string::npos) return std::string();
    const auto start = r.out.find_first_not_of(' ', at + 3 + label.size());
    return r.out.substr(start, r.out.find('\n', start) - start);
  };
  const std::string connect = line_after("connect");
  const std::string stop = line_after("stop");
  ASSERT_NE(connect.find("psql -h /tmp -p "), std::string::npos) << r.out;
  ASSERT_NE(stop.find("pg_ctl"), std::string::npos) << r.out;

  auto psql = testing::run_shell(connect + " -X -At -c 'SELECT pg_is_in_recovery()'");
  EXPECT_EQ(psql.exit_code, 0) << connect << "\n" << psql.err;
  EXPECT_EQ(psql.out, "t\n") << "paused at the target";
  auto stopped = testing::run_shell(stop);
  EXPECT_EQ(stopped.exit_code, 0) << stop << "\n" << stopped.out << stopped.err;
  EXPECT_FALSE(fs::exists(pgdata() / "postmaster.pid")) << "the stop line stops the server";
}

} // namespace
} // namespace lastgood
