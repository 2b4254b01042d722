// wal-fetch with the real WAL of two real clusters in one catalog (the
// fixture's primary and its second, 1 MB-segment cluster, whose segment names
// overlap): run in a data directory as PostgreSQL runs it, without --cluster,
// it serves that cluster's segment, refuses the other cluster's (exit 3,
// both system identifiers named) and asks for --cluster when it cannot tell;
// a real PITR restore still works with both archives cataloged.

#include "pg/child_process.hpp"
#include "pg/pg_connection.hpp"
#include "tests/support/run_command.hpp"
#include "tests/support/temp_dir.hpp"

#include <filesystem>
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>
#include <pqxx/pqxx>
#include <unistd.h>

namespace lastgood {
namespace {

namespace fs = std::filesystem;
using nlohmann::json;
using namespace std::chrono_literals;

class WalFetchTwoClusters : public ::testing::Test
{
protected:
  void SetUp() override
  {
    if (testing::artifacts_dir().empty())
      GTEST_SKIP() << "LASTGOOD_ARTIFACTS not set (run through ctest)";
    m_expected = json::parse(testing::read_file(testing::artifacts_dir() / "expected.json"));
    fs::permissions(m_home.path(),
                    fs::perms::owner_all | fs::perms::group_exec | fs::perms::others_exec);
  }
  void TearDown() override
  {
    if (fs::exists(pgdata() / "postmaster.pid"))
      pg::run_process({.argv = {pg::find_pg_program("pg_ctl"), "-D", pgdata().string(), "-m",
                                "immediate", "stop"},
                       .run_as_user = ::geteuid() == 0 ? "postgres" : "",
                       .cwd = "/",
                       .timeout = 60s});
  }
  std::string catalog_flag() const
  {
    return "--catalog " + testing::shell_quote((m_home.path() / "catalog.db").string()) + " ";
  }
  testing::CommandResult lastgood(const std::string& args)
  {
    return testing::run_lastgood(catalog_flag() + args);
  }
  // wal-fetch NAME DEST run in `dir`, as PostgreSQL runs restore_command.
  testing::CommandResult wal_fetch_in(const fs::path& dir, const std::string& name)
  {
    return testing::run_lastgood_in(dir.string(), catalog_flag() + "wal-fetch " + name + " " +
                                                      testing::shell_quote(dest().string()));
  }
  void add_repo(const std::string& name, const fs::path& dir)
  {
    ASSERT_EQ(lastgood("repo add " + name + " " + testing::shell_quote(dir.string())).exit_code, 0);
    auto scan = lastgood("scan -q");
    ASSERT_EQ(scan.exit_code, 0) << scan.out << scan.err;
  }
  void add_both_archives()
  {
    add_repo("primary", testing::artifacts_dir() / "repo");
    add_repo("other", artifacts("other/wal"));
  }
  fs::path artifacts(const std::string& relative) const
  {
    return testing::artifacts_dir() / relative;
  }
  fs::path dest() const { return m_home.path() / "RECOVERYXLOG"; }
  fs::path pgdata() const { return m_home.path() / "pgdata"; }
  // Data directories of each cluster: plain base backups hold global/pg_control.
  fs::path primary_datadir() const { return artifacts("repo/base/plain-1"); }
  fs::path other_datadir() const { return artifacts("other/selfcontained/fetch-plain"); }
  std::string primary_sysid() const { return m_expected["system_identifier"]; }
  std::string other_sysid() const { return m_expected["other_cluster"]["system_identifier"]; }
  // A timeline 1 segment both clusters archived, and one only the other did.
  std::string shared_name() const
  {
    for (const auto& f : m_expected["other_cluster"]["wal"]["files"])
      for (const auto& g : m_expected["wal"]["files"])
        if (f.get<std::string>().size() == 24 && f == g) return f;
    return "";
  }
  std::string other_only_name() const { return m_expected["other_cluster"]["wal"]["files"].back(); }

  testing::TempDir m_home;
  json m_expected;
};

TEST_F(WalFetchTwoClusters, DataDirectoryGetsItsOwnClustersSegment)
{
  add_both_archives();
  const auto name = shared_name();
  ASSERT_FALSE(name.empty()) << "the fixture's clusters share no segment name";
  auto r = wal_fetch_in(primary_datadir(), name);
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(testing::read_file(dest()), testing::read_file(artifacts("repo/wal/" + name)));
  fs::remove(dest());
  r = wal_fetch_in(other_datadir(), name);
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(testing::read_file(dest()), testing::read_file(artifacts("other/wal/" + name)));
}

TEST_F(WalFetchTwoClusters, AnotherClustersSegmentIsRefused)
{
  add_both_archives();
  const auto name = other_only_name();
  auto r = wal_fetch_in(primary_datadir(), name);
  EXPECT_EQ(r.exit_code, 3) << r.out << r.err;
  EXPECT_NE(r.err.find(name), std::string::npos) << r.err;
  EXPECT_NE(r.err.find(primary_sysid()), std::string::npos) << r.err;
  EXPECT_NE(r.err.find(other_sysid()), std::string::npos) << r.err;
  EXPECT_FALSE(fs::exists(dest()));
  // Its own cluster gets it.
  r = wal_fetch_in(other_datadir(), name);
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_TRUE(fs::exists(dest()));
}

TEST_F(WalFetchTwoClusters, AmbiguousNameOutsideADataDirectoryAsksForCluster)
{
  add_both_archives();
  auto r = wal_fetch_in(m_home.path(), shared_name());
  EXPECT_EQ(r.exit_code, 2) << r.out << r.err;
  EXPECT_NE(r.err.find("--cluster"), std::string::npos) << r.err;
  EXPECT_FALSE(fs::exists(dest()));
}

TEST_F(WalFetchTwoClusters, ForeignSegmentAmongAnotherClustersWalIsRefused)
{
  // The other cluster's segment archived into the primary's WAL directory.
  const auto dir = m_home.path() / "mixed" / "wal";
  fs::create_directories(dir);
  int copied = 0;
  for (const auto& f : m_expected["wal"]["files"])
    if (f.get<std::string>().size() == 24 && copied++ < 2)
      fs::copy_file(artifacts("repo/wal/" + f.get<std::string>()), dir / f.get<std::string>());
  const auto name = other_only_name();
  fs::copy_file(artifacts("other/wal/" + name), dir / name);
  add_repo("mixed", m_home.path() / "mixed");
  auto wal = lastgood("wal");
  ASSERT_NE(wal.out.find("FOREIGN"), std::string::npos) << wal.out;
  auto r = wal_fetch_in(m_home.path(), name);
  EXPECT_EQ(r.exit_code, 3) << r.out << r.err;
  EXPECT_NE(r.err.find(primary_sysid()), std::string::npos) << r.err;
  EXPECT_NE(r.err.find(other_sysid()), std::string::npos) << r.err;
  EXPECT_FALSE(fs::exists(dest()));
}

TEST_F(WalFetchTwoClusters, PitrRestoreStillWorksWithBothArchives)
{
  add_both_archives();
  const json* target = nullptr;
  for (const auto& m : m_expected["marks"])
    if (m["name"] == "after-tar-1") target = &m;
  ASSERT_TRUE(target);
  auto r = lastgood("restore --json --start --cluster " + primary_sysid() + " --pgdata " +
                    pgdata().string() + " --target-time " + std::string((*target)["time"]));
  ASSERT_EQ(r.exit_code, 0) << r.out << r.err;
  auto doc = json::parse(r.out);
  EXPECT_EQ(doc["outcome"], "pass") << doc.dump(2);
  EXPECT_NE(std::string(doc["restore_command"]).find("--cluster " + primary_sysid()),
            std::string::npos)
      << doc["restore_command"];
  const int port = doc["recovery_point"]["port"];
  auto conn = pg::connect("host=/tmp port=" + std::to_string(port) + " user=postgres dbname=shop");
  pqxx::nontransaction tx(*conn);
  for (const auto& [table, rows] : (*target)["shop_row_counts"].items())
    EXPECT_EQ(tx.exec1("SELECT count(*) FROM " + table)[0].as<std::int64_t>(),
              rows.get<std::int64_t>())
        << table;
}

} // namespace
} // namespace lastgood
