// The verifier against real dumps and a real scratch PostgreSQL: a good dump
// passes with its row counts; each kind of damage fails with the finding that
// names it; user checks and drift are reported; crashes are cleaned up.

#include "catalog/backup_queries.hpp"
#include "catalog/catalog.hpp"
#include "catalog/repositories.hpp"
#include "catalog/scanner.hpp"
#include "catalog/verification_runs.hpp"
#include "compliance/retention_apply.hpp"
#include "compliance/retention_plan.hpp"
#include "pg/child_process.hpp"
#include "pg/pg_connection.hpp"
#include "pg/scratch_cluster.hpp"
#include "storage/storage.hpp"
#include "tests/support/run_command.hpp"
#include "tests/support/temp_dir.hpp"
#include "verifier/verifier.hpp"
#include "verifier/verify_batch.hpp"

#include <atomic>
#include <chrono>
#include <filesystem>
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>
#include <pqxx/pqxx>
#include <signal.h>
#include <sys/wait.h>
#include <thread>
#include <unistd.h>

namespace lastgood {
namespace {

namespace fs = std::filesystem;
using nlohmann::json;
using testing::TempDir;

class VerifyTest : public ::testing::Test
{
protected:
  void SetUp() override
  {
    if (testing::artifacts_dir().empty())
      GTEST_SKIP() << "LASTGOOD_ARTIFACTS not set (run through ctest)";
    m_expected = json::parse(testing::read_file(testing::artifacts_dir() / "expected.json"));
    fs::permissions(m_repo.path(), fs::perms::all);
    m_catalog = catalog::Catalog::open((m_home.path() / "catalog.db").string());
    m_repository = catalog::add_repository(m_catalog->db(), "repo", m_repo.path().string());
  }
  void add_dump(const std::string& name, const std::string& bytes) { m_repo.write(name, bytes); }
  std::string artifact(const std::string& relative)
  {
    return testing::read_file(testing::artifacts_dir() / "repo" / relative);
  }
  void scan()
  {
    auto storage = storage::open_storage(m_repo.path().string());
    catalog::scan_repository(m_catalog->db(), m_repository, *storage, {});
  }
  catalog::BackupRow backup(const std::string& key)
  {
    for (auto& b : catalog::list_backups(m_catalog->db(), {}))
      if (b.root_key == key) return b;
    throw std::runtime_error("no backup at " + key);
  }
  verifier::VerifyReport verify(const std::string& key, verifier::Level level,
                                VerifyConfig config = {}, const std::string& scratch = "auto")
  {
    verifier::Verifier v(m_catalog->db(), config, scratch, 2);
    return v.verify(backup(key), level, "manual");
  }
  static bool has_finding(const verifier::VerifyReport& r, const std::string& kind)
  {
    for (const auto& f : r.findings)
      if (f.kind == kind) return true;
    return false;
  }
  static std::string describe(const verifier::VerifyReport& r)
  {
    std::string out = "outcome " + r.outcome + "\n";
    for (const auto& f : r.findings)
      out += "  " + f.kind + " " + f.subject + ": " + f.message + "\n";
    return out;
  }
  std::string status(const std::string& key) { return backup(key).status; }

  json m_expected;
  TempDir m_home, m_repo;
  std::unique_ptr<catalog::Catalog> m_catalog;
  catalog::Repository m_repository;
};

TEST_F(VerifyTest, GoodDumpRestoresAndRecordsExactRowCounts)
{
  add_dump("shop.dump", artifact("dumps/shop.dump"));
  scan();
  auto report = verify("shop.dump", verifier::Level::Restore);
  ASSERT_EQ(report.outcome, "pass") << describe(report);
  std::map<std::string, std::int64_t> counts;
  for (const auto& c : report.row_counts)
    counts[c.table_name] = c.row_count;
  for (const auto& [table, rows] : m_expected["row_counts"]["shop"].items())
    EXPECT_EQ(counts[table], rows.get<std::int64_t>()) << table;
  EXPECT_EQ(status("shop.dump"), "good");
  auto stored = catalog::run_row_counts(m_catalog->db(), report.run_id);
  EXPECT_EQ(stored.size(), report.row_counts.size());
  auto run = catalog::find_run(m_catalog->db(), report.run_id);
  ASSERT_TRUE(run);
  EXPECT_EQ(run->outcome, "pass");
  EXPECT_EQ(run->scratch.value_or(""), "auto");
  EXPECT_GT(run->duration_seconds.value_or(0), 0.0);
}

TEST_F(VerifyTest, EveryArchiveFormatRestores)
{
  add_dump("shop.tar", artifact("dumps/shop.tar"));
  add_dump("shop.sql", artifact("dumps/shop.sql"));
  for (const auto& entry :
       fs::recursive_directory_iterator(testing::artifacts_dir() / "repo/dumps/shop.dir"))
    if (entry.is_regular_file())
      add_dump("shop.dir/" + entry.path().filename().string(), testing::read_file(entry.path()));
  scan();
  for (const char* key : {"shop.tar", "shop.sql", "shop.dir"}) {
    auto report = verify(key, verifier::Level::Restore);
    EXPECT_EQ(report.outcome, "pass") << key << "\n" << describe(report);
    std::int64_t orders = -1;
    for (const auto& c : report.row_counts)
      if (c.table_name == "orders") orders = c.row_count;
    EXPECT_EQ(orders, m_expected["row_counts"]["shop"]["orders"].get<std::int64_t>()) << key;
  }
}

TEST_F(VerifyTest, TruncatedDumpFailsStructureEvenThoughItsTocLists)
{
  auto bytes = artifact("dumps/shop.dump");
  add_dump("truncated.dump", bytes.substr(0, bytes.size() * 2 / 3));
  scan();
  auto structure = verify("truncated.dump", verifier::Level::Structure);
  EXPECT_EQ(structure.outcome, "fail") << describe(structure);
  EXPECT_TRUE(has_finding(structure, "incomplete_dump")) << describe(structure);
  EXPECT_FALSE(has_finding(structure, "toc_unreadable"))
      << "the TOC of a truncated custom dump still lists";
  EXPECT_EQ(status("truncated.dump"), "bad");
  // At restore level the restore itself reads every block and runs into the end.
  auto restore = verify("truncated.dump", verifier::Level::Restore);
  EXPECT_EQ(restore.outcome, "fail") << describe(restore);
  EXPECT_TRUE(has_finding(restore, "restore_failed")) << describe(restore);
}

TEST_F(VerifyTest, FlippedBitAfterCatalogingIsAChecksumMismatch)
{
  auto path = (m_repo.path() / "shop.dump").string();
  add_dump("shop.dump", artifact("dumps/shop.dump"));
  scan();
  auto bytes = testing::read_file(path);
  bytes[bytes.size() / 2] ^= 0x10;
  add_dump("shop.dump", bytes);
  auto report = verify("shop.dump", verifier::Level::Checksum);
  EXPECT_EQ(report.outcome, "fail");
  EXPECT_TRUE(has_finding(report, "checksum_mismatch")) << describe(report);
}

TEST_F(VerifyTest, MissingObjectFails)
{
  add_dump("shop.dump", artifact("dumps/shop.dump"));
  scan();
  fs::remove(m_repo.path() / "shop.dump");
  auto report = verify("shop.dump", verifier::Level::Checksum);
  EXPECT_EQ(report.outcome, "fail");
  EXPECT_TRUE(has_finding(report, "missing_object")) << describe(report);
}

// `retention apply` deleting a backup the way it does (the real apply, with a
// plan naming just that backup).
void delete_by_retention(catalog::Database& db, const catalog::BackupRow& b)
{
  compliance::RetentionPlan plan;
  compliance::BackupFacts facts;
  facts.row_id = b.id;
  facts.backup_id = b.backup_id;
  facts.repository = b.repository;
  facts.root_key = b.root_key;
  facts.kind = b.kind;
  plan.backups = {facts};
  plan.decisions = {compliance::BackupDecision{"test", false, {"not kept by any rule"}}};
  plan.backups_to_delete = 1;
  const auto applied = compliance::apply_retention(db, plan);
  ASSERT_EQ(applied.deleted_backups, std::vector<std::string>{b.backup_id});
}

// A verify racing `retention apply`, made deterministic by the verifier's
// test hook: the backup is planned, its run begun, then the real retention
// apply deletes it, then the verifier reads it.
TEST_F(VerifyTest, BackupDeletedByRetentionWhileBeingReadIsSkippedNotFailed)
{
  add_dump("shop.dump", artifact("dumps/shop.dump"));
  scan();
  const auto planned = backup("shop.dump");
  verifier::Verifier v(m_catalog->db(), {}, "auto", 2);
  v.set_before_reading_hook([&](const catalog::BackupRow& b) {
    delete_by_retention(m_catalog->db(), b);
    ASSERT_FALSE(fs::exists(m_repo.path() / "shop.dump"));
  });
  const auto batch = verifier::verify_batch(v, {{planned, verifier::Level::Structure, ""}}, {});
  ASSERT_EQ(batch.reports.size(), 1u);
  const auto& report = batch.reports[0];
  EXPECT_EQ(report.outcome, "skipped") << describe(report);
  EXPECT_FALSE(has_finding(report, "missing_object")) << describe(report);
  EXPECT_TRUE(has_finding(report, "backup_deleted")) << describe(report);
  // The batch that `verify` and `run` use does not count it as a problem.
  EXPECT_EQ(batch.exit_code(), 0);
  // History keeps the run as could-not-check (never `fail`), with the reason.
  const auto run = catalog::find_run(m_catalog->db(), report.run_id);
  ASSERT_TRUE(run.has_value());
  EXPECT_EQ(run->outcome, "error");
  const auto findings = catalog::run_findings(m_catalog->db(), report.run_id);
  ASSERT_EQ(findings.size(), 1u);
  EXPECT_EQ(findings[0].kind, "backup_deleted");
}

// Deleted after planning but before its turn came: skipped without a run, so
// a second verifier that planned it too does not check it again.
TEST_F(VerifyTest, BackupDeletedByRetentionBeforeItsTurnIsSkippedWithoutARun)
{
  add_dump("shop.dump", artifact("dumps/shop.dump"));
  scan();
  const auto planned = backup("shop.dump");
  verifier::Verifier v(m_catalog->db(), {}, "auto", 2);
  delete_by_retention(m_catalog->db(), planned);
  const auto report = v.verify(planned, verifier::Level::Checksum, "manual");
  EXPECT_EQ(report.outcome, "skipped") << describe(report);
  EXPECT_EQ(report.run_id, 0);
  EXPECT_TRUE(catalog::list_runs(m_catalog->db(), planned.id, 10).empty());
}

TEST_F(VerifyTest, ChecksumFailureDemotesAGoodBackupButAPassNeverPromotesABadOne)
{
  add_dump("shop.dump", artifact("dumps/shop.dump"));
  scan();
  ASSERT_EQ(verify("shop.dump", verifier::Level::Restore).outcome, "pass");
  ASSERT_EQ(status("shop.dump"), "good");
  auto bytes = artifact("dumps/shop.dump");
  bytes[100] ^= 0x01;
  add_dump("shop.dump", bytes);
  EXPECT_EQ(verify("shop.dump", verifier::Level::Checksum).outcome, "fail");
  EXPECT_EQ(status("shop.dump"), "bad");
  add_dump("shop.dump", artifact("dumps/shop.dump"));
  EXPECT_EQ(verify("shop.dump", verifier::Level::Checksum).outcome, "pass");
  EXPECT_EQ(status("shop.dump"), "bad") << "a checksum pass must not promote";
}

TEST_F(VerifyTest, UserChecksFailAndErrorsAreReported)
{
  add_dump("shop.dump", artifact("dumps/shop.dump"));
  scan();
  VerifyConfig config;
  config.checks = {
      {"shop", "orders exist", "SELECT count(*) > 0 FROM orders"},
      {"shop", "no customers (false on purpose)", "SELECT count(*) = 0 FROM customers"},
      {"shop", "broken sql", "SELEC nonsense"},
      {"other", "not for this database", "SELECT false"}};
  auto report = verify("shop.dump", verifier::Level::Restore, config);
  EXPECT_EQ(report.outcome, "fail");
  int failed = 0, errors = 0;
  for (const auto& f : report.findings) {
    if (f.kind == "check_failed") {
      ++failed;
      EXPECT_EQ(f.subject, "no customers (false on purpose)");
    }
    if (f.kind == "check_error") {
      ++errors;
      EXPECT_EQ(f.subject, "broken sql");
    }
  }
  EXPECT_EQ(failed, 1) << describe(report);
  EXPECT_EQ(errors, 1) << describe(report);
}

TEST_F(VerifyTest, DriftBetweenTwoDumpsWhereATableWasEmptiedIsDataShrink)
{
  add_dump("a-shop.dump", artifact("dumps/shop.dump"));
  // Make a second, real dump of the same database with order_items emptied.
  auto cluster = pg::ScratchCluster::start({});
  {
    auto conn = pg::connect(cluster->conninfo("postgres"));
    pqxx::nontransaction(*conn).exec("CREATE DATABASE shop");
  }
  pg::ProcessOptions restore;
  restore.argv = {pg::find_pg_program("pg_restore"), "--no-owner", "-d", cluster->conninfo("shop"),
                  (m_repo.path() / "a-shop.dump").string()};
  ASSERT_EQ(pg::run_process(restore).exit_code, 0);
  {
    auto conn = pg::connect(cluster->conninfo("shop"));
    pqxx::nontransaction(*conn).exec("DELETE FROM order_items");
  }
  pg::ProcessOptions dump;
  dump.argv = {pg::find_pg_program("pg_dump"),           "-Fc", "-f",
               (m_repo.path() / "b-shop.dump").string(), "-d",  cluster->conninfo("shop")};
  auto dumped = pg::run_process(dump);
  ASSERT_EQ(dumped.exit_code, 0) << dumped.err;
  cluster.reset();
  scan();
  ASSERT_EQ(verify("a-shop.dump", verifier::Level::Restore).outcome, "pass");
  auto report = verify("b-shop.dump", verifier::Level::Restore);
  bool found = false;
  for (const auto& f : report.findings)
    if (f.kind == "data_shrink" && f.subject == "public.order_items") found = true;
  EXPECT_TRUE(found) << describe(report);
  EXPECT_EQ(report.outcome, "pass") << "data_shrink is a warning by default";
  // The baseline is the newest passing restore: make it the full one again.
  ASSERT_EQ(verify("a-shop.dump", verifier::Level::Restore).outcome, "pass");
  VerifyConfig strict;
  strict.shrink_severity = "failure";
  EXPECT_EQ(verify("b-shop.dump", verifier::Level::Restore, strict).outcome, "fail");
}

TEST_F(VerifyTest, ScratchDatabaseOfAKilledRunIsRemovedByTheNextAndOthersAreLeftAlone)
{
  add_dump("shop.dump", artifact("dumps/shop.dump"));
  scan();
  auto cluster = pg::ScratchCluster::start({});
  const auto scratch = cluster->conninfo("postgres");
  // What a verify killed mid-restore leaves: a 'running' run of a dead process
  // and its scratch database.
  pid_t dead = ::fork();
  if (dead == 0) ::_exit(0);
  ::waitpid(dead, nullptr, 0);
  auto run = catalog::begin_run(m_catalog->db(), backup("shop.dump").id, "restore", "manual",
                                std::string("x"));
  m_catalog->db()
      .prepare("UPDATE verification_runs SET pid = ? WHERE id = ?")
      .bind_all(dead, run)
      .run();
  const auto leftover = "lastgood_verify_" + std::to_string(run);
  const auto stranger = std::string("lastgood_verify_999999"); // no such run: not ours
  {
    auto conn = pg::connect(scratch);
    pqxx::nontransaction tx(*conn);
    tx.exec("CREATE DATABASE " + leftover);
    tx.exec("CREATE DATABASE " + stranger);
    tx.exec("CREATE DATABASE keep_me");
  }
  auto report = verify("shop.dump", verifier::Level::Restore, {}, scratch); // cleans up first
  EXPECT_EQ(report.outcome, "pass") << describe(report);
  auto conn = pg::connect(scratch);
  pqxx::nontransaction tx(*conn);
  auto names = tx.exec(
      "SELECT datname FROM pg_database WHERE datname NOT IN ('postgres', 'template0', 'template1')"
      " ORDER BY 1");
  std::vector<std::string> left;
  for (auto row : names)
    left.push_back(row[0].as<std::string>());
  EXPECT_EQ(left, (std::vector<std::string>{"keep_me", stranger}));
  auto old = catalog::find_run(m_catalog->db(), run);
  ASSERT_TRUE(old);
  EXPECT_EQ(old->outcome, "error");
}

TEST_F(VerifyTest, ScratchServerGoingAwayMidRestoreIsAnErrorNotABadBackup)
{
  { // a dump big enough that restoring it takes seconds
    auto source = pg::ScratchCluster::start({});
    auto conn = pg::connect(source->conninfo("postgres"));
    pqxx::nontransaction(*conn).exec("CREATE DATABASE big");
    auto big = pg::connect(source->conninfo("big"));
    pqxx::nontransaction(*big).exec("CREATE TABLE t AS SELECT g AS id, md5(g::text) AS payload "
                                    "FROM generate_series(1, 2000000) g");
    pg::ProcessOptions dump;
    dump.argv = {pg::find_pg_program("pg_dump"),
                 "-Fc",
                 "-Z0",
                 "-f",
                 (m_repo.path() / "big.dump").string(),
                 "-d",
                 source->conninfo("big")};
    ASSERT_EQ(pg::run_process(dump).exit_code, 0);
  }
  scan();
  auto scratch = pg::ScratchCluster::start({});
  const auto admin = scratch->conninfo("postgres");
  std::atomic<bool> stopped{false};
  std::thread watcher([&] {
    for (int i = 0; i < 3000 && !stopped; ++i) {
      int copying = 0;
      try {
        auto conn = pg::connect(admin);
        pqxx::nontransaction tx(*conn);
        copying =
            tx.exec1(
                  "SELECT count(*) FROM pg_stat_activity WHERE datname LIKE 'lastgood\\_verify\\_%'"
                  " AND query ILIKE 'COPY%'")[0]
                .as<int>();
      } catch (const std::exception&) {
      }
      if (copying > 0) {
        scratch->stop();
        stopped = true;
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(20));
    }
  });
  auto report = verify("big.dump", verifier::Level::Restore, {}, admin);
  watcher.join();
  ASSERT_TRUE(stopped) << "the restore finished before the watcher saw it copying\n"
                       << describe(report);
  EXPECT_EQ(report.outcome, "error") << describe(report);
  EXPECT_TRUE(has_finding(report, "scratch_error")) << describe(report);
  EXPECT_FALSE(has_finding(report, "restore_failed"))
      << "a dead scratch server says nothing about the backup";
  EXPECT_EQ(status("big.dump"), "unverified");
}

TEST_F(VerifyTest, FullScratchDiskIsAnErrorNotABadBackup)
{
  if (::geteuid() != 0) GTEST_SKIP() << "mounting a small tmpfs as the scratch disk needs root";
  {
    auto source = pg::ScratchCluster::start({});
    auto conn = pg::connect(source->conninfo("postgres"));
    pqxx::nontransaction(*conn).exec("CREATE DATABASE big");
    auto big = pg::connect(source->conninfo("big"));
    pqxx::nontransaction(*big).exec("CREATE TABLE t AS SELECT g AS id, md5(g::text) AS payload "
                                    "FROM generate_series(1, 1500000) g");
    pg::ProcessOptions dump;
    dump.argv = {pg::find_pg_program("pg_dump"),        "-Fc", "-f",
                 (m_repo.path() / "big.dump").string(), "-d",  source->conninfo("big")};
    ASSERT_EQ(pg::run_process(dump).exit_code, 0);
  }
  scan();
  TempDir disk;
  const auto mount =
      "mount -t tmpfs -o size=72m,mode=0777 tmpfs " + testing::shell_quote(disk.path().string());
  if (testing::run_shell(mount).exit_code != 0) GTEST_SKIP() << "cannot mount tmpfs here";
  struct Unmount
  {
    std::string path;
    ~Unmount() { testing::run_shell("umount -l " + testing::shell_quote(path)); }
  } unmount{disk.path().string()};
  pg::ScratchClusterOptions options;
  options.base_dir = disk.path().string();
  options.settings = {"max_wal_size=32MB", "min_wal_size=32MB"};
  auto scratch = pg::ScratchCluster::start(options);
  auto report = verify("big.dump", verifier::Level::Restore, {}, scratch->conninfo("postgres"));
  EXPECT_EQ(report.outcome, "error") << describe(report);
  EXPECT_TRUE(has_finding(report, "scratch_error")) << describe(report);
  EXPECT_FALSE(has_finding(report, "restore_failed")) << describe(report);
  EXPECT_EQ(status("big.dump"), "unverified");
}

TEST_F(VerifyTest, CliExitCodesSayWhatHappened)
{
  add_dump("shop.dump", artifact("dumps/shop.dump"));
  auto bytes = artifact("dumps/shop.dump");
  add_dump("truncated.dump", bytes.substr(0, bytes.size() / 2));
  scan();
  const auto catalog =
      "--catalog " + testing::shell_quote((m_home.path() / "catalog.db").string()) + " ";
  auto good =
      testing::run_lastgood(catalog + "verify " + backup("shop.dump").backup_id + " --json");
  EXPECT_EQ(good.exit_code, 0) << good.out << good.err;
  auto parsed = json::parse(good.out);
  EXPECT_EQ(parsed["runs"][0]["outcome"], "pass");
  auto bad = testing::run_lastgood(catalog + "verify --level structure " +
                                   backup("truncated.dump").backup_id);
  EXPECT_EQ(bad.exit_code, 3) << bad.out << bad.err;
  EXPECT_NE(bad.out.find("incomplete_dump"), std::string::npos) << bad.out;
  auto history = testing::run_lastgood(catalog + "history --json");
  ASSERT_EQ(history.exit_code, 0);
  EXPECT_EQ(json::parse(history.out)["runs"].size(), 2u);
  auto unreachable = testing::run_lastgood(
      catalog + "verify --scratch 'host=/nonexistent port=1 password=hunter2' " +
      backup("shop.dump").backup_id);
  EXPECT_EQ(unreachable.exit_code, 1) << unreachable.out << unreachable.err;
  EXPECT_EQ(unreachable.out.find("hunter2"), std::string::npos) << "secrets never reach output";
  EXPECT_EQ(unreachable.err.find("hunter2"), std::string::npos);
}

} // namespace
} // namespace lastgood

namespace lastgood {
namespace {

// Base backups from the fixture: structure passes with the WAL in the backup
// or the archive; without it, missing_wal names the segment.
class BaseBackupStructure : public ::testing::Test
{
protected:
  void SetUp() override
  {
    if (testing::artifacts_dir().empty())
      GTEST_SKIP() << "LASTGOOD_ARTIFACTS not set (run through ctest)";
    m_catalog = catalog::Catalog::open((m_home.path() / "catalog.db").string());
  }
  void scan(const std::string& name, const fs::path& dir)
  {
    auto repo = catalog::add_repository(m_catalog->db(), name, dir.string());
    auto storage = storage::open_storage(dir.string());
    catalog::scan_repository(m_catalog->db(), repo, *storage, {});
  }
  TempDir m_home;
  std::unique_ptr<catalog::Catalog> m_catalog;
};

TEST_F(BaseBackupStructure, RealBaseBackupsPassAndAMissingSegmentIsNamed)
{
  scan("fixture", testing::artifacts_dir() / "repo");
  verifier::Verifier v(m_catalog->db(), {}, "auto", 2);
  int physical = 0;
  for (const auto& b : catalog::list_backups(m_catalog->db(), {})) {
    if (b.kind != "physical") continue;
    ++physical;
    auto report = v.verify(b, verifier::Level::Structure, "manual");
    EXPECT_EQ(report.outcome, "pass") << b.root_key;
    for (const auto& f : report.findings)
      ADD_FAILURE() << b.root_key << ": " << f.kind << " " << f.message;
  }
  EXPECT_EQ(physical, 4);

  // plain-1 alone, its pg_wal emptied, no archive: the WAL it needs is nowhere.
  TempDir copy;
  fs::copy(testing::artifacts_dir() / "repo/base/plain-1", copy.path() / "plain-1",
           fs::copy_options::recursive);
  for (const auto& entry : fs::directory_iterator(copy.path() / "plain-1/pg_wal"))
    if (entry.is_regular_file()) fs::remove(entry.path());
  TempDir other_home;
  auto other = catalog::Catalog::open((other_home.path() / "catalog.db").string());
  auto repo = catalog::add_repository(other->db(), "copy", copy.path().string());
  auto storage = storage::open_storage(copy.path().string());
  catalog::scan_repository(other->db(), repo, *storage, {});
  auto backups = catalog::list_backups(other->db(), {});
  ASSERT_EQ(backups.size(), 1u);
  verifier::Verifier v2(other->db(), {}, "auto", 2);
  auto report = v2.verify(backups[0], verifier::Level::Structure, "manual");
  EXPECT_EQ(report.outcome, "fail");
  bool named = false;
  for (const auto& f : report.findings)
    if (f.kind == "missing_wal" && f.subject == "000000010000000000000003") named = true;
  EXPECT_TRUE(named) << "missing_wal must name 000000010000000000000003";
}

} // namespace
} // namespace lastgood
