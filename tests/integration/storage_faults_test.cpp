// Every command that touches a repository, run as the real binary over a
// FaultStorage (storage/fault_storage.hpp, switched on by the test-only
// LASTGOOD_TEST_FAULTS): a full disk (ENOSPC), a failing disk (EIO), a write
// that silently loses its tail and slow, dribbling reads. Each command either
// does its job right or exits 1 with a message naming the failure, the object
// and what to do; nothing half-written is left under a final name (only
// marked temporary files, which crash_leftovers removes); the catalog stays
// intact and no backup turns good or bad because storage failed.

#include "catalog/backup_queries.hpp"
#include "catalog/catalog.hpp"
#include "pg/pg_connection.hpp"
#include "pg/scratch_cluster.hpp"
#include "storage/temp_files.hpp"
#include "tests/support/run_command.hpp"
#include "tests/support/temp_dir.hpp"

#include <filesystem>
#include <gtest/gtest.h>
#include <map>
#include <nlohmann/json.hpp>
#include <pqxx/pqxx>
#include <set>

namespace lastgood {
namespace {

namespace fs = std::filesystem;
using nlohmann::json;
using testing::CommandResult;
using testing::shell_quote;
using testing::TempDir;

bool contains(const std::string& text, std::string_view part)
{
  return text.find(part) != std::string::npos;
}

class StorageFaults : public ::testing::Test
{
protected:
  static void TearDownTestSuite() { s_cluster.reset(); }
  // Started on first use: the read-side tests need no server of their own.
  static pg::ScratchCluster& cluster()
  {
    if (!s_cluster) s_cluster = pg::ScratchCluster::start({});
    return *s_cluster;
  }

  void SetUp() override
  {
    if (testing::artifacts_dir().empty())
      GTEST_SKIP() << "LASTGOOD_ARTIFACTS not set (run through ctest)";
    fs::permissions(m_repo.path(), fs::perms::all);
    m_catalog_path = (m_home.path() / "catalog.db").string();
    for (const char* file : {"dumps/shop.dump", "wal/000000010000000000000001",
                             "wal/000000010000000000000002", "wal/000000010000000000000004.gz"})
      m_repo.write(file, testing::read_file(testing::artifacts_dir() / "repo" / file));
    ASSERT_EQ(lastgood("repo add r " + shell_quote(m_repo.path().string())).exit_code, 0);
    auto scanned = lastgood("scan --rehash");
    ASSERT_EQ(scanned.exit_code, 0) << scanned.out << scanned.err;
  }

  CommandResult lastgood(const std::string& args)
  {
    return testing::run_lastgood("--catalog " + shell_quote(m_catalog_path) + " " + args);
  }
  CommandResult lastgood_with_faults(const std::string& plan, const std::string& args,
                                     const std::string& dir = ".")
  {
    return testing::run_shell("cd " + shell_quote(dir) + " && LASTGOOD_TEST_FAULTS=" +
                              shell_quote(plan) + " " + shell_quote(testing::lastgood_binary()) +
                              " --catalog " + shell_quote(m_catalog_path) + " " + args);
  }

  std::string backup_id(const std::string& key)
  {
    auto db = catalog::Catalog::open(m_catalog_path);
    for (const auto& b : catalog::list_backups(db->db(), {}))
      if (b.root_key == key) return b.backup_id;
    ADD_FAILURE() << "no backup at " << key;
    return {};
  }
  // What a storage fault must never change: every backup's status and problem,
  // every object's checksum and problem.
  std::map<std::string, std::string> evidence()
  {
    auto db = catalog::Catalog::open(m_catalog_path);
    std::map<std::string, std::string> out;
    for (const auto& b : catalog::list_backups(db->db(), {}))
      out["backup " + b.root_key] =
          b.status + " | " + b.problem.value_or("-") + " | " + b.missing_since.value_or("-");
    auto s = db->db().prepare(
        "SELECT key, coalesce(sha256, '-'), coalesce(problem, '-'), size FROM objects");
    while (s.step())
      out["object " + s.text(0)] = s.text(1) + " | " + s.text(2) + " | " + s.text(3);
    return out;
  }
  // The same without problems: what a read fault may add, it must not change these.
  std::map<std::string, std::string> checksums_and_statuses()
  {
    auto db = catalog::Catalog::open(m_catalog_path);
    std::map<std::string, std::string> out;
    for (const auto& b : catalog::list_backups(db->db(), {}))
      out["backup " + b.root_key] = b.status;
    auto s = db->db().prepare("SELECT key, coalesce(sha256, '-'), size FROM objects");
    while (s.step())
      out["object " + s.text(0)] = s.text(1) + " | " + s.text(2);
    return out;
  }
  void expect_catalog_intact()
  {
    auto checked = lastgood("catalog check --json");
    EXPECT_EQ(checked.exit_code, 0) << checked.out << checked.err;
    if (checked.exit_code == 0) {
      auto report = json::parse(checked.out);
      EXPECT_EQ(report.value("integrity", std::string("?")), "ok") << checked.out;
    }
  }
  std::set<std::string> repository_files()
  {
    std::set<std::string> out;
    for (const auto& e : fs::recursive_directory_iterator(m_repo.path()))
      if (e.is_regular_file()) out.insert(fs::relative(e.path(), m_repo.path()).string());
    return out;
  }
  // Files that appeared must be temporary files whose name says who wrote them
  // (so the next run removes them); nothing new under a final name.
  void expect_no_new_finished_files(const std::set<std::string>& before)
  {
    for (const auto& file : repository_files()) {
      if (before.count(file)) continue;
      EXPECT_TRUE(storage::temp_file_owner(fs::path(file).filename().string()))
          << "left under a final name after a storage fault: " << file;
    }
  }
  // Exit 1, one line naming the failure, the object and what to do; never a crash.
  static void expect_clear_failure(const CommandResult& r, const std::string& key,
                                   const std::string& reason, const std::string& advice)
  {
    EXPECT_EQ(r.exit_code, 1) << r.out << r.err;
    EXPECT_TRUE(contains(r.err, reason)) << r.err;
    EXPECT_TRUE(contains(r.err, key)) << "the message should name " << key << ": " << r.err;
    EXPECT_TRUE(contains(r.err, advice)) << r.err;
    EXPECT_FALSE(contains(r.err, "unexpected error")) << r.err;
  }
  void create_database(const std::string& name, int rows)
  {
    {
      auto conn = pg::connect(cluster().conninfo("postgres"));
      pqxx::nontransaction(*conn).exec("DROP DATABASE IF EXISTS " + name);
      pqxx::nontransaction(*conn).exec("CREATE DATABASE " + name);
    }
    auto conn = pg::connect(cluster().conninfo(name));
    pqxx::nontransaction(*conn).exec(
        "CREATE TABLE t (id int PRIMARY KEY, v text); INSERT INTO t SELECT g, md5(g::text) || "
        "md5((g * 7)::text) FROM generate_series(1, " +
        std::to_string(rows) + ") g");
  }

  static inline std::unique_ptr<pg::ScratchCluster> s_cluster;
  TempDir m_home, m_repo, m_work;
  std::string m_catalog_path;
};

TEST_F(StorageFaults, BackupOnAFullDiskFailsClearlyAndLeavesNothing)
{
  create_database("fulldisk", 20000);
  const auto before = evidence();
  const auto files = repository_files();
  for (const std::string plan :
       {"op=write,key=*fulldisk*,fault=enospc,at_byte=100000",       // mid-stream
        "op=write,key=*fulldisk*,fault=enospc,at_byte=999999999"}) { // at commit (fsync)
    auto r = lastgood_with_faults(plan, "backup --repo r --dbname " +
                                            shell_quote(cluster().conninfo("fulldisk")));
    SCOPED_TRACE(plan);
    expect_clear_failure(r, "cannot write 'fulldisk", "no space left on device", "free space");
    EXPECT_TRUE(contains(r.err, "nothing was cataloged; run the backup again")) << r.err;
    expect_no_new_finished_files(files);
    EXPECT_EQ(evidence(), before) << "a failed backup must catalog nothing";
  }
  expect_catalog_intact();
}

TEST_F(StorageFaults, DirectoryBackupOnAFailingDiskRemovesWhatItStored)
{
  create_database("dirfail", 5000);
  const auto before = evidence();
  const auto files = repository_files();
  // The second file fails: toc.dat, stored last, never lands; the first is removed again.
  auto r = lastgood_with_faults("op=write,key=*dirfail*,fault=eio,at_call=2",
                                "backup --repo r --format directory --dbname " +
                                    shell_quote(cluster().conninfo("dirfail")));
  expect_clear_failure(r, "cannot write 'dirfail", "I/O error", "check the disk");
  expect_no_new_finished_files(files);
  EXPECT_EQ(evidence(), before);
  expect_catalog_intact();
}

TEST_F(StorageFaults, BackupThatStorageCutShortIsRemovedNotLeftLookingFinished)
{
  create_database("cutshort", 20000);
  const auto before = evidence();
  const auto files = repository_files();
  auto r = lastgood_with_faults("op=write,key=*cutshort*,fault=short_write,at_byte=50000",
                                "backup --repo r --dbname " +
                                    shell_quote(cluster().conninfo("cutshort")));
  expect_clear_failure(r, "cutshort", "the repository reports 50000 bytes", "run the backup again");
  expect_no_new_finished_files(files);
  EXPECT_EQ(evidence(), before);
  expect_catalog_intact();
}

TEST_F(StorageFaults, VerifyReadFaultIsAnErrorNeverBad)
{
  const auto id = backup_id("dumps/shop.dump");
  const auto before = evidence();
  for (const std::string level : {"checksum", "structure", "restore"}) {
    SCOPED_TRACE(level);
    auto r = lastgood_with_faults("op=read,key=dumps/shop.dump,fault=eio,at_byte=4096",
                                  "verify " + id + " --level " + level + " --json");
    EXPECT_EQ(r.exit_code, 1) << r.out << r.err;
    auto runs = json::parse(r.out)["runs"];
    ASSERT_EQ(runs.size(), 1u) << r.out;
    EXPECT_EQ(runs[0]["outcome"], "error") << runs[0].dump(2);
    EXPECT_TRUE(contains(runs[0].dump(), "cannot read 'dumps/shop.dump'")) << runs[0].dump(2);
    EXPECT_TRUE(contains(runs[0].dump(), "I/O error")) << runs[0].dump(2);
  }
  EXPECT_EQ(evidence(), before) << "a read fault is no evidence about the backup";
  // Slow, dribbling reads are just slow: the true checksum, a pass.
  auto slow = lastgood_with_faults("op=read,fault=slow_read,delay_ms=0,chunk=509",
                                   "verify " + id + " --level checksum --json");
  EXPECT_EQ(slow.exit_code, 0) << slow.out << slow.err;
  EXPECT_EQ(json::parse(slow.out)["runs"][0]["outcome"], "pass") << slow.out;
  expect_catalog_intact();
}

TEST_F(StorageFaults, ScanUnderReadAndListFaultsChangesNoEvidence)
{
  const auto before = evidence();
  const auto checksums_before = checksums_and_statuses();
  auto listing = lastgood_with_faults("op=list,fault=eio", "scan");
  expect_clear_failure(listing, "cannot list the repository root in file://", "I/O error",
                       "check the disk");
  EXPECT_EQ(evidence(), before) << "a failed listing must not mark objects missing";

  // An object that cannot be re-read is a problem the scan reports (exit 3,
  // as for an unreadable file); its checksum and its backup's status stay.
  auto rehash =
      lastgood_with_faults("op=read,key=dumps/shop.dump,fault=eio,at_byte=10000", "scan --rehash");
  EXPECT_EQ(rehash.exit_code, 3) << rehash.out << rehash.err;
  EXPECT_TRUE(contains(rehash.out, "cannot read 'dumps/shop.dump'")) << rehash.out;
  EXPECT_TRUE(contains(rehash.out, "I/O error; check the disk")) << rehash.out;
  EXPECT_EQ(checksums_and_statuses(), checksums_before);

  auto slow = lastgood_with_faults("op=read,fault=slow_read,delay_ms=0,chunk=777", "scan --rehash");
  EXPECT_EQ(slow.exit_code, 0) << slow.out << slow.err;
  EXPECT_EQ(evidence(), before) << "slow reads hash to the same checksums and clear the problem";
  expect_catalog_intact();
}

TEST_F(StorageFaults, WalFetchReadFaultLeavesNoDestination)
{
  const auto before = evidence();
  for (const std::string name : {"000000010000000000000002", "000000010000000000000004"}) {
    SCOPED_TRACE(name);
    const auto dest = (m_work.path() / name).string();
    auto r = lastgood_with_faults("op=read,key=wal/*,fault=eio,at_byte=8192",
                                  "wal-fetch " + name + " " + shell_quote(dest));
    expect_clear_failure(r, "cannot read 'wal/" + name, "I/O error", "check the disk");
    EXPECT_TRUE(fs::is_empty(m_work.path())) << "wal-fetch left a file beside " << dest;

    auto slow = lastgood_with_faults("op=read,key=wal/*,fault=slow_read,delay_ms=0,chunk=1021",
                                     "wal-fetch " + name + " " + shell_quote(dest));
    EXPECT_EQ(slow.exit_code, 0) << slow.out << slow.err;
    EXPECT_EQ(fs::file_size(dest), 16u << 20);
    fs::remove(dest);
  }
  EXPECT_EQ(evidence(), before);
  expect_catalog_intact();
}

TEST_F(StorageFaults, RestoreReadFaultTouchesNothingOnTheTarget)
{
  const auto id = backup_id("dumps/shop.dump");
  const auto before = evidence();
  auto databases = [] {
    auto conn = pg::connect(cluster().conninfo("postgres"));
    std::set<std::string> out;
    for (auto row : pqxx::nontransaction(*conn).exec("SELECT datname FROM pg_database"))
      out.insert(row[0].as<std::string>());
    return out;
  };
  const auto databases_before = databases();
  auto r = lastgood_with_faults("op=read,key=dumps/shop.dump,fault=eio,at_byte=20000",
                                "restore " + id + " --to " +
                                    shell_quote(cluster().conninfo("postgres")));
  expect_clear_failure(r, "dumps/shop.dump", "I/O error", "check the disk");
  EXPECT_EQ(databases(), databases_before) << "a failed restore must leave the target as it was";
  EXPECT_EQ(evidence(), before) << "a read fault during restore is no evidence about the backup";

  auto slow = lastgood_with_faults("op=read,fault=slow_read,delay_ms=0,chunk=1021",
                                   "restore " + id + " --to " +
                                       shell_quote(cluster().conninfo("postgres")));
  EXPECT_EQ(slow.exit_code, 0) << slow.out << slow.err;
  EXPECT_TRUE(databases().count("shop")) << "slow reads must still restore the database";
  expect_catalog_intact();
}

// The whole fixture repository (base backups and WAL), cataloged afresh.
TEST(StorageFaultsPhysical, RestoreReadFaultLeavesNoDataDirectory)
{
  if (testing::artifacts_dir().empty())
    GTEST_SKIP() << "LASTGOOD_ARTIFACTS not set (run through ctest)";
  TempDir home;
  const std::string catalog = "--catalog " + shell_quote((home.path() / "catalog.db").string());
  auto run = [&](const std::string& args) { return testing::run_lastgood(catalog + " " + args); };
  ASSERT_EQ(
      run("repo add arch " + shell_quote((testing::artifacts_dir() / "repo").string())).exit_code,
      0);
  ASSERT_EQ(run("scan -q").exit_code, 0);
  const auto expected = json::parse(testing::read_file(testing::artifacts_dir() / "expected.json"));
  std::string target;
  for (const auto& m : expected["marks"])
    if (m["name"] == "after-tar-1") target = m["time"];
  ASSERT_FALSE(target.empty());
  const auto before = run("backups --json");
  const auto pgdata = home.path() / "pgdata";
  auto r = testing::run_shell(
      "LASTGOOD_TEST_FAULTS='op=read,key=base/*,fault=eio,at_byte=3000000' " +
      shell_quote(testing::lastgood_binary()) + " " + catalog + " restore --pgdata " +
      shell_quote(pgdata.string()) + " --target-time " + target);
  EXPECT_EQ(r.exit_code, 1) << r.out << r.err;
  EXPECT_TRUE(contains(r.err, "cannot read 'base/")) << r.err;
  EXPECT_TRUE(contains(r.err, "I/O error; check the disk")) << r.err;
  EXPECT_FALSE(fs::exists(pgdata)) << "a half-extracted data directory was left behind";
  EXPECT_EQ(run("backups --json").out, before.out) << "a read fault changed a backup's status";
  auto checked = run("catalog check");
  EXPECT_EQ(checked.exit_code, 0) << checked.out << checked.err;
}

} // namespace
} // namespace lastgood
