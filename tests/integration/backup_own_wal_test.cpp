// Self-contained base backups (pg_basebackup -X fetch / -X stream, plain and
// tar, gzip'd) of the fixture's second cluster, cataloged with no WAL archive
// at all: plan and restore --immediate reach consistency from the backup's own
// WAL, `wal` calls the required WAL complete; a target beyond it, or a -X none
// backup, is still refused with the missing segment named.

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

const char* const kSelfContained[] = {"fetch-plain", "fetch-tar", "stream-plain", "stream-tar-gz"};

class BackupOwnWal : public ::testing::Test
{
protected:
  void SetUp() override
  {
    if (testing::artifacts_dir().empty())
      GTEST_SKIP() << "LASTGOOD_ARTIFACTS not set (run through ctest)";
    m_expected = json::parse(
        testing::read_file(testing::artifacts_dir() / "expected.json"))["other_cluster"];
    ASSERT_FALSE(m_expected.is_null()) << "expected.json has no other_cluster";
    fs::permissions(m_home.path(),
                    fs::perms::owner_all | fs::perms::group_exec | fs::perms::others_exec);
  }
  void TearDown() override
  {
    for (const auto& dir : m_started)
      if (fs::exists(dir / "postmaster.pid"))
        pg::run_process(
            {.argv = {pg::find_pg_program("pg_ctl"), "-D", dir.string(), "-m", "immediate", "stop"},
             .run_as_user = ::geteuid() == 0 ? "postgres" : "",
             .cwd = "/",
             .timeout = 60s});
  }
  testing::CommandResult lastgood(const std::string& args)
  {
    return testing::run_lastgood(
        "--catalog " + testing::shell_quote((m_home.path() / "catalog.db").string()) + " " + args);
  }
  void add_repo(const std::string& name, const fs::path& dir)
  {
    ASSERT_EQ(lastgood("repo add " + name + " " + testing::shell_quote(dir.string())).exit_code, 0);
    auto scan = lastgood("scan -q");
    ASSERT_EQ(scan.exit_code, 0) << scan.out << scan.err;
  }
  // The catalog's backup ID of the fixture backup labelled `label`.
  std::string backup_id(const std::string& label)
  {
    auto r = lastgood("backups --json");
    const auto doc = json::parse(r.out);
    for (const auto& b : doc["backups"])
      if (b["label"].is_string() && b["label"].get<std::string>() == label)
        return b["id"].get<std::string>();
    ADD_FAILURE() << "no backup labelled " << label << ": " << r.out;
    return "";
  }
  const json& backup(const std::string& name) { return m_expected["base_backups"][name]; }
  fs::path other(const std::string& relative) const
  {
    return testing::artifacts_dir() / "other" / relative;
  }

  testing::TempDir m_home;
  json m_expected;
  std::vector<fs::path> m_started;
};

TEST_F(BackupOwnWal, PlanImmediateNeedsNoArchive)
{
  add_repo("sc", other("selfcontained"));
  for (const char* name : kSelfContained) {
    SCOPED_TRACE(name);
    auto r = lastgood("plan --json --target immediate --backup " + backup_id(name));
    ASSERT_EQ(r.exit_code, 0) << r.out << r.err;
    auto plan = json::parse(r.out);
    EXPECT_EQ(plan["reachable"], true) << plan.dump(2);
    EXPECT_EQ(plan["backup_wal"], backup(name)["carried_wal"]) << plan.dump(2);
    EXPECT_TRUE(plan["wal"].empty()) << "there is no archive";
    EXPECT_EQ(plan["target_point"]["lsn"], backup(name)["stop_lsn"]);
  }
}

TEST_F(BackupOwnWal, WalCallsTheRequiredWalCompleteFromTheBackupItself)
{
  add_repo("sc", other("selfcontained"));
  auto r = lastgood("wal --json");
  ASSERT_EQ(r.exit_code, 0) << r.out << r.err;
  auto doc = json::parse(r.out);
  ASSERT_EQ(doc["clusters"].size(), 1u) << doc.dump(2);
  const auto& cluster = doc["clusters"][0];
  EXPECT_EQ(cluster["system_identifier"], m_expected["system_identifier"]);
  ASSERT_EQ(cluster["base_backups"].size(), std::size(kSelfContained)) << cluster.dump(2);
  for (const auto& b : cluster["base_backups"]) {
    EXPECT_EQ(b["complete"], true) << b.dump();
    EXPECT_FALSE(b["from_backup"].empty()) << b.dump();
  }
  auto text = lastgood("wal");
  EXPECT_NE(text.out.find("required WAL complete: yes (from the backup itself"), std::string::npos)
      << text.out;
}

TEST_F(BackupOwnWal, TargetBeyondItsOwnWalIsRefusedNamingTheSegment)
{
  add_repo("sc", other("selfcontained"));
  const auto id = backup_id("fetch-tar");
  // Well past its end (the catalog knows no stop time without an archive's .backup file).
  auto r = lastgood("plan --json --target-lsn 0/8000000 --backup " + id);
  EXPECT_EQ(r.exit_code, 3) << r.out << r.err;
  auto plan = json::parse(r.out);
  EXPECT_EQ(plan["reachable"], false);
  EXPECT_EQ(plan["unreachable"]["missing"], backup("fetch-tar")["stop_wal_file"]) << plan.dump(2);
  EXPECT_EQ(plan["unreachable"]["nearest"]["lsn"], backup("fetch-tar")["stop_lsn"]);
}

TEST_F(BackupOwnWal, RecoveryContinuesWithTheArchiveBeyondConsistency)
{
  add_repo("sc", other("selfcontained"));
  const auto& b = backup("fetch-tar");
  const std::string stop_file = b["stop_wal_file"];
  // An archive holding only what follows the backup's stop segment: recovery
  // cannot pass it (the backup's copy ends at consistency)...
  fs::create_directories(m_home.path() / "tail");
  for (const auto& f : m_expected["wal"]["files"]) {
    const std::string name = f;
    if (name.size() == 24 && name > stop_file)
      fs::copy_file(other("wal/" + name), m_home.path() / "tail" / name);
  }
  add_repo("tail", m_home.path() / "tail");
  const auto id = backup_id("fetch-tar");
  auto r = lastgood("plan --json --target latest --backup " + id);
  EXPECT_EQ(r.exit_code, 3) << r.out << r.err;
  EXPECT_EQ(json::parse(r.out)["unreachable"]["missing"], stop_file) << r.out;
  // ... and with the archived stop segment it continues to the archive's end.
  fs::copy_file(other("wal/" + stop_file), m_home.path() / "tail" / stop_file);
  ASSERT_EQ(lastgood("scan -q").exit_code, 0);
  r = lastgood("plan --json --target latest --backup " + id);
  ASSERT_EQ(r.exit_code, 0) << r.out << r.err;
  auto plan = json::parse(r.out);
  ASSERT_FALSE(plan["wal"].empty());
  EXPECT_EQ(plan["wal"][0]["name"], stop_file);
  EXPECT_EQ(plan["wal"].back()["name"], m_expected["wal"]["files"].back()) << plan.dump(2);
}

TEST_F(BackupOwnWal, RestoreImmediateReachesConsistencyFromTheBackupAlone)
{
  add_repo("sc", other("selfcontained"));
  for (const char* name : kSelfContained) {
    SCOPED_TRACE(name);
    const auto pgdata = m_home.path() / (std::string("pgdata-") + name);
    m_started.push_back(pgdata);
    auto r = lastgood("restore --json --start --immediate --pgdata " + pgdata.string() +
                      " --backup " + backup_id(name));
    ASSERT_EQ(r.exit_code, 0) << r.out << r.err;
    auto doc = json::parse(r.out);
    EXPECT_EQ(doc["outcome"], "pass") << doc.dump(2);
    EXPECT_TRUE(doc["recovery_point"]["consistent_at"].is_string())
        << "the server log says it reached consistency: " << doc["recovery_point"].dump(2);
    const int port = doc["recovery_point"]["port"];
    {
      auto conn =
          pg::connect("host=/tmp port=" + std::to_string(port) + " user=postgres dbname=postgres");
      pqxx::nontransaction tx(*conn);
      EXPECT_EQ(tx.exec1("SELECT count(*) FROM notes")[0].as<std::int64_t>(),
                backup(name)["notes_rows"].get<std::int64_t>());
    }
    pg::run_process(
        {.argv = {pg::find_pg_program("pg_ctl"), "-D", pgdata.string(), "-m", "immediate", "stop"},
         .run_as_user = ::geteuid() == 0 ? "postgres" : "",
         .cwd = "/",
         .timeout = 60s});
  }
}

TEST_F(BackupOwnWal, BackupWithoutItsWalStillNeedsTheArchive)
{
  add_repo("na", other("needs-archive"));
  const std::string start_file = backup("none-plain")["start_wal_file"];
  auto r = lastgood("plan --json --target immediate");
  EXPECT_EQ(r.exit_code, 3) << r.out << r.err;
  EXPECT_EQ(json::parse(r.out)["unreachable"]["missing"], start_file) << r.out;
  r = lastgood("restore --immediate --pgdata " + (m_home.path() / "pgdata").string());
  EXPECT_EQ(r.exit_code, 3) << r.out << r.err;
  EXPECT_NE((r.out + r.err).find(start_file), std::string::npos) << r.out << r.err;
  EXPECT_FALSE(fs::exists(m_home.path() / "pgdata"));
  r = lastgood("wal");
  EXPECT_EQ(r.exit_code, 3) << r.out << r.err;
  EXPECT_NE(r.out.find("required WAL complete: no (missing " + start_file), std::string::npos)
      << r.out;
}

} // namespace
} // namespace lastgood
