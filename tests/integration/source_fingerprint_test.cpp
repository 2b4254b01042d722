// The source fingerprint end to end with the real binary: `backup` takes it in
// pg_dump's snapshot and the test restore finds the copy identical; a dump
// taken by another tool with a fingerprint attached from another moment is
// caught by the test restore (bad, exit 3, a finding per differing table).

#include "pg/child_process.hpp"
#include "pg/pg_connection.hpp"
#include "pg/scratch_cluster.hpp"
#include "tests/support/run_command.hpp"
#include "tests/support/temp_dir.hpp"

#include <filesystem>
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>
#include <pqxx/pqxx>

namespace lastgood {
namespace {

namespace fs = std::filesystem;
using nlohmann::json;
using testing::shell_quote;

class SourceFingerprint : public ::testing::Test
{
protected:
  void SetUp() override
  {
    m_cluster = pg::ScratchCluster::start({});
    exec(m_cluster->conninfo(), "CREATE DATABASE shop");
    exec(m_cluster->conninfo("shop"), "CREATE TABLE orders AS SELECT g AS id, 'o' || g AS note "
                                      "FROM generate_series(1, 1000) g;"
                                      "CREATE TABLE customers AS SELECT g AS id "
                                      "FROM generate_series(1, 30) g");
    fs::create_directories(m_repo.path());
    ASSERT_EQ(lastgood("repo add r " + shell_quote(m_repo.path().string())).exit_code, 0);
  }
  static void exec(const std::string& conninfo, const std::string& sql)
  {
    auto conn = pg::connect(conninfo);
    pqxx::nontransaction(*conn).exec(sql);
  }
  testing::CommandResult lastgood(const std::string& args)
  {
    return testing::run_lastgood("--catalog " +
                                 shell_quote((m_home.path() / "catalog.db").string()) + " " + args);
  }
  json verify(int expected_exit)
  {
    auto r = lastgood("verify --level restore --json --scratch " +
                      shell_quote(m_cluster->conninfo("postgres")));
    EXPECT_EQ(r.exit_code, expected_exit) << r.out << r.err;
    auto doc = json::parse(r.out, nullptr, false);
    if (doc.is_discarded() || doc["runs"].empty()) {
      ADD_FAILURE() << r.out << r.err;
      return json::object();
    }
    return doc["runs"][0];
  }
  static bool mentions(const json& list, const std::string& text)
  {
    return list.dump().find(text) != std::string::npos;
  }

  testing::TempDir m_home, m_repo;
  std::unique_ptr<pg::ScratchCluster> m_cluster;
};

TEST_F(SourceFingerprint, BackupTakesItInPgDumpsSnapshotAndTheRestoreMatches)
{
  auto b = lastgood("backup --repo r --json --fingerprint full --dbname " +
                    shell_quote(m_cluster->conninfo("shop")));
  ASSERT_EQ(b.exit_code, 0) << b.out << b.err;
  const auto backup = json::parse(b.out);
  EXPECT_NE(std::string(backup["fingerprint"]).find("full of 2 tables at WAL "), std::string::npos)
      << b.out;

  const auto run = verify(0);
  EXPECT_EQ(run["outcome"], "pass") << run.dump(2);
  EXPECT_TRUE(mentions(run["notes"], "identical to the source at backup time: full of 2 tables"))
      << run.dump(2);

  // Stronger evidence than "it restored", on every surface that shows evidence.
  const json match = {{"mode", "full"}, {"tables", 2}};
  auto pick = lastgood("pick --database shop --json");
  ASSERT_EQ(pick.exit_code, 0) << pick.out << pick.err;
  EXPECT_EQ(json::parse(pick.out)["evidence"]["identical_to_source"], match) << pick.out;
  pick = lastgood("pick --database shop");
  EXPECT_NE(pick.out.find("identical to the source at backup time (full of 2 tables)"),
            std::string::npos)
      << pick.out;
  auto status = lastgood("status --json");
  const auto scope = json::parse(status.out)["scopes"][0];
  EXPECT_EQ(scope["last_test_restore"]["identical_to_source"], match) << status.out;
  status = lastgood("status");
  EXPECT_NE(status.out.find("identical to the source at backup time"), std::string::npos)
      << status.out;
  auto report = lastgood("report --format json");
  const auto facts = json::parse(report.out)["scopes"][0];
  EXPECT_EQ(facts["facts"]["last_good_identical_to_source"], match) << report.out;
  EXPECT_TRUE(mentions(facts["items"], "identical to the source at backup time (full of 2 tables)"))
      << facts["items"].dump(2);
}

TEST_F(SourceFingerprint, ARestoreWithoutAFingerprintClaimsNoIdentity)
{
  const std::string file = (m_repo.path() / "shop-other-tool.dump").string();
  auto d = pg::run_process({.argv = {pg::find_pg_program("pg_dump"), "-Fc", "-f", file, "-d",
                                     m_cluster->conninfo("shop")}});
  ASSERT_EQ(d.exit_code, 0) << d.err;
  ASSERT_EQ(lastgood("scan -q").exit_code, 0);
  const auto run = verify(0);
  EXPECT_EQ(run["outcome"], "pass") << run.dump(2);
  auto pick = lastgood("pick --database shop --json");
  ASSERT_EQ(pick.exit_code, 0) << pick.out << pick.err;
  EXPECT_TRUE(json::parse(pick.out)["evidence"]["identical_to_source"].is_null()) << pick.out;
  EXPECT_EQ(lastgood("pick --database shop").out.find("identical"), std::string::npos);
  EXPECT_EQ(lastgood("status").out.find("identical"), std::string::npos);
}

TEST_F(SourceFingerprint, FingerprintOfAnotherMomentMakesTheBackupBad)
{
  // Another tool's dump; rows arrive; the fingerprint is taken afterwards.
  const std::string file = (m_repo.path() / "shop-other-tool.dump").string();
  auto d = pg::run_process({.argv = {pg::find_pg_program("pg_dump"), "-Fc", "-f", file, "-d",
                                     m_cluster->conninfo("shop")}});
  ASSERT_EQ(d.exit_code, 0) << d.err;
  ASSERT_EQ(lastgood("scan -q").exit_code, 0);
  exec(m_cluster->conninfo("shop"), "INSERT INTO orders SELECT g, 'late' FROM "
                                    "generate_series(1001, 1020) g");
  const auto list = json::parse(lastgood("backups --json").out);
  ASSERT_EQ(list["backups"].size(), 1u) << list.dump();
  const std::string id = list["backups"][0]["id"];
  auto a = lastgood("fingerprint --attach " + id + " --dbname " +
                    shell_quote(m_cluster->conninfo("shop")));
  ASSERT_EQ(a.exit_code, 0) << a.out << a.err;
  EXPECT_NE(a.out.find("recorded as the source fingerprint of " + id), std::string::npos) << a.out;

  const auto run = verify(3);
  EXPECT_EQ(run["outcome"], "fail") << run.dump(2);
  EXPECT_TRUE(mentions(run["findings"],
                       "fingerprint_mismatch public.orders: 1020 rows at backup, 1000 restored"))
      << run.dump(2);
  EXPECT_FALSE(mentions(run["findings"], "public.customers")) << run.dump(2);
  const auto after = json::parse(lastgood("backups --json").out);
  EXPECT_EQ(after["backups"][0]["status"], "bad") << after.dump();
  EXPECT_NE(lastgood("pick --database shop").exit_code, 0) << "a bad backup is never picked";
}

TEST_F(SourceFingerprint, AttachRefusesAnUnknownBackup)
{
  auto a =
      lastgood("fingerprint --attach nosuch --dbname " + shell_quote(m_cluster->conninfo("shop")));
  EXPECT_EQ(a.exit_code, 2) << a.out << a.err;
  EXPECT_NE(a.err.find("no backup nosuch"), std::string::npos) << a.err;
}

} // namespace
} // namespace lastgood
