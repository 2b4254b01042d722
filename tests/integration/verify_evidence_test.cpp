// Verdicts that follow from evidence, through the real binary (issue 11):
// the nightly `verify --due` restore-tests base backups too; a dump the
// verifying user may not read is "could not check" (error, exit 1), never a
// bad backup; a verify killed with -9 does not block the next one.

#include "pg/child_process.hpp"
#include "pg/pg_connection.hpp"
#include "pg/scratch_cluster.hpp"
#include "tests/support/run_command.hpp"
#include "tests/support/temp_dir.hpp"

#include <chrono>
#include <filesystem>
#include <future>
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>
#include <pqxx/pqxx>
#include <signal.h>
#include <thread>

namespace lastgood {
namespace {

namespace fs = std::filesystem;
using nlohmann::json;
using testing::shell_quote;
using testing::TempDir;

json parse_or_fail(const testing::CommandResult& r)
{
  auto doc = json::parse(r.out, nullptr, false);
  EXPECT_FALSE(doc.is_discarded()) << "not JSON:\n" << r.out << r.err;
  return doc.is_discarded() ? json::object() : doc;
}

json report_item(const json& report, const std::string& scope_kind, const std::string& name)
{
  for (const auto& scope : report.at("scopes"))
    if (scope.at("kind") == scope_kind)
      for (const auto& item : scope.at("items"))
        if (item.at("item") == name) return item;
  return json();
}

// ---------------------------------------------------------------- case 2

class NightlyDue : public ::testing::Test
{
protected:
  void SetUp() override
  {
    if (testing::artifacts_dir().empty())
      GTEST_SKIP() << "LASTGOOD_ARTIFACTS not set (run through ctest)";
    const auto repo = testing::artifacts_dir() / "repo";
    // Only base backups and the WAL archive: no dump that could satisfy a check.
    const auto as_is = fs::copy_options::recursive | fs::copy_options::copy_symlinks;
    for (const char* part : {"base/plain-1", "base/tar-1", "wal"}) {
      fs::create_directories((m_repo.path() / part).parent_path());
      fs::copy(repo / part, m_repo.path() / part, as_is);
    }
    m_args = "--catalog " + shell_quote((m_home.path() / "catalog.db").string()) + " ";
    ASSERT_EQ(lastgood("repo add r " + shell_quote(m_repo.path().string())).exit_code, 0);
  }
  testing::CommandResult lastgood(const std::string& args)
  {
    return testing::run_lastgood(m_args + args);
  }

  TempDir m_home, m_repo;
  std::string m_args;
};

TEST_F(NightlyDue, RestoreTestsTheNewestBaseBackupOfEachClusterThenNothingIsDue)
{
  ASSERT_EQ(lastgood("scan -q").exit_code, 0);
  auto before_report = parse_or_fail(lastgood("report --format json"));
  EXPECT_EQ(report_item(before_report, "cluster", "restore_tested").value("verdict", ""), "FAIL")
      << before_report.dump(2);

  auto first = lastgood("verify --due --json");
  ASSERT_EQ(first.exit_code, 0) << first.out << first.err;
  const auto runs = parse_or_fail(first)["runs"];
  std::string restored;
  int restore_runs = 0;
  for (const auto& run : runs)
    if (run["level"] == "restore") {
      ++restore_runs;
      restored = run["backup"];
      EXPECT_EQ(run["outcome"], "pass") << run.dump(2);
    }
  EXPECT_EQ(restore_runs, 1) << "one test restore per cluster\n" << runs.dump(2);
  ASSERT_FALSE(restored.empty()) << runs.dump(2);
  auto shown = parse_or_fail(lastgood("show " + restored + " --json"));
  EXPECT_EQ(shown["label"], "tar-1") << "the newest base backup is the one tested";
  EXPECT_EQ(shown["status"], "good");

  auto history = parse_or_fail(lastgood("history " + restored + " --json"))["runs"];
  bool restore_pass = false;
  for (const auto& run : history)
    restore_pass = restore_pass || (run["level"] == "restore" && run["outcome"] == "pass");
  EXPECT_TRUE(restore_pass) << history.dump(2);

  auto report = parse_or_fail(lastgood("report --format json"));
  EXPECT_EQ(report_item(report, "cluster", "restore_tested").value("verdict", ""), "OK")
      << report.dump(2);

  auto second = lastgood("verify --due --json");
  ASSERT_EQ(second.exit_code, 0) << second.out << second.err;
  EXPECT_TRUE(parse_or_fail(second)["runs"].empty()) << "nothing is due any more\n" << second.out;
  EXPECT_NE(lastgood("verify --due").out.find("nothing is due"), std::string::npos);
}

// ---------------------------------------------------------------- case 4

// Everything runs as an unprivileged user (root reads files whatever their mode).
class UnreadableDump : public ::testing::Test
{
protected:
  void SetUp() override
  {
    if (testing::artifacts_dir().empty())
      GTEST_SKIP() << "LASTGOOD_ARTIFACTS not set (run through ctest)";
    for (const auto* dir : {&m_home, &m_repo})
      fs::permissions(dir->path(), fs::perms::all);
    m_dump = m_repo.write("shop.dump",
                          testing::read_file(testing::artifacts_dir() / "repo/dumps/shop.dump"));
    fs::permissions(m_dump, fs::perms::all);
    // The unprivileged user cannot look into root's home for a configuration file.
    const auto config = m_home.write("config.toml", "");
    fs::permissions(config, fs::perms::all);
    m_args = "--catalog " + shell_quote((m_home.path() / "catalog.db").string()) + " --config " +
             shell_quote(config.string()) + " ";
    ASSERT_EQ(lastgood("repo add r " + shell_quote(m_repo.path().string())).exit_code, 0);
    ASSERT_EQ(lastgood("scan -q").exit_code, 0);
    auto list = parse_or_fail(lastgood("backups --json"));
    ASSERT_EQ(list["backups"].size(), 1u) << list.dump(2);
    m_id = list["backups"][0]["id"];
  }
  testing::CommandResult lastgood(const std::string& args)
  {
    return testing::run_lastgood(m_args + args, true);
  }
  json backup() { return parse_or_fail(lastgood("backups --json"))["backups"].at(0); }

  TempDir m_home, m_repo;
  fs::path m_dump;
  std::string m_args, m_id;
};

TEST_F(UnreadableDump, IsAnErrorAtEveryLevelNeverABadBackupAndPassesOnceReadable)
{
  auto good = lastgood("verify --level restore " + m_id + " --json");
  ASSERT_EQ(good.exit_code, 0) << good.out << good.err;
  ASSERT_EQ(backup()["status"], "good");

  fs::permissions(m_dump, fs::perms::none);
  for (const std::string level : {"checksum", "structure", "restore"}) {
    SCOPED_TRACE(level);
    auto r = lastgood("verify --level " + level + " " + m_id + " --json");
    EXPECT_EQ(r.exit_code, 1) << "could not do the job, not 'found a problem'\n" << r.out << r.err;
    const auto run = parse_or_fail(r)["runs"].at(0);
    EXPECT_EQ(run["outcome"], "error") << run.dump(2);
    bool says_why = false;
    for (const auto& f : run["findings"]) {
      EXPECT_NE(f["severity"], "failure") << "not being able to read is no evidence of damage\n"
                                          << f.dump(2);
      const std::string message = f["message"];
      if (f["severity"] == "error" && message.find("shop.dump") != std::string::npos &&
          (message.find("ermission denied") != std::string::npos))
        says_why = true;
    }
    EXPECT_TRUE(says_why) << "a finding names the object and the permission problem\n"
                          << run.dump(2);
    const auto now = backup();
    EXPECT_EQ(now["status"], "good") << now.dump(2);
    EXPECT_EQ(now["last_check"], "error") << now.dump(2);
    auto pick = lastgood("pick --database shop --json");
    EXPECT_EQ(pick.exit_code, 0) << pick.out << pick.err;
    EXPECT_EQ(parse_or_fail(pick)["backup"].value("id", ""), m_id);
  }
  EXPECT_NE(lastgood("backups").out.find("good (last check: error)"), std::string::npos);
  EXPECT_NE(lastgood("show " + m_id).out.find("good (last check: error)"), std::string::npos);
  auto history = parse_or_fail(lastgood("history --json"))["runs"];
  ASSERT_EQ(history.size(), 4u) << history.dump(2);
  EXPECT_EQ(history[0]["outcome"], "error");

  fs::permissions(m_dump, fs::perms::owner_read | fs::perms::group_read | fs::perms::others_read);
  auto again = lastgood("verify --level restore " + m_id + " --json");
  EXPECT_EQ(again.exit_code, 0) << again.out << again.err;
  EXPECT_EQ(parse_or_fail(again)["runs"].at(0)["outcome"], "pass");
  EXPECT_EQ(backup()["status"], "good");
  EXPECT_EQ(backup()["last_check"], "pass");
}

TEST_F(UnreadableDump, AnUnreadableFileInsideADirectoryDumpIsAnError)
{
  fs::copy(testing::artifacts_dir() / "repo/dumps/shop.dir", m_repo.path() / "shop.dir",
           fs::copy_options::recursive);
  for (auto& entry : fs::recursive_directory_iterator(m_repo.path()))
    fs::permissions(entry.path(), fs::perms::all);
  auto scan = lastgood("scan");
  ASSERT_EQ(scan.exit_code, 0) << scan.out << scan.err;
  std::string dir_id;
  const auto listed = parse_or_fail(lastgood("backups --json"));
  for (const auto& b : listed["backups"])
    if (b["format"] == "directory") dir_id = b["id"];
  ASSERT_FALSE(dir_id.empty()) << scan.out << listed.dump(2);
  fs::path data_file;
  for (auto& entry : fs::directory_iterator(m_repo.path() / "shop.dir"))
    if (entry.path().filename() != "toc.dat" &&
        (data_file.empty() || entry.file_size() > fs::file_size(data_file)))
      data_file = entry.path();
  fs::permissions(data_file, fs::perms::none);
  auto r = lastgood("verify --level structure " + dir_id + " --json");
  EXPECT_EQ(r.exit_code, 1) << r.out << r.err;
  const auto run = parse_or_fail(r)["runs"].at(0);
  EXPECT_EQ(run["outcome"], "error") << run.dump(2);
  EXPECT_NE(run.dump().find(data_file.filename().string()), std::string::npos) << "names the file\n"
                                                                               << run.dump(2);
  const auto after = parse_or_fail(lastgood("backups --json")); // kept alive for the loop
  for (const auto& b : after["backups"])
    EXPECT_NE(b["status"], "bad") << b.dump(2);
}

TEST_F(UnreadableDump, ARescanThatCannotReadKeepsWhatTheCatalogKnew)
{
  const auto hash = [&] {
    return parse_or_fail(lastgood("show " + m_id + " --json"))["objects"].at(0)["sha256"];
  };
  const auto known = hash();
  ASSERT_TRUE(known.is_string());
  fs::permissions(m_dump, fs::perms::none);
  auto rescan = lastgood("scan --rehash");
  EXPECT_EQ(rescan.exit_code, 3) << rescan.out << rescan.err;
  EXPECT_NE(rescan.out.find("ermission denied"), std::string::npos) << rescan.out;
  EXPECT_EQ(hash(), known) << "not being able to read is no reason to forget the hash";
  fs::permissions(m_dump, fs::perms::owner_read | fs::perms::group_read | fs::perms::others_read);
  auto check = lastgood("verify --level checksum " + m_id + " --json");
  EXPECT_EQ(check.exit_code, 0) << check.out << check.err;
}

// A PITR drill whose WAL the verifying user may not read: wal-fetch cannot
// serve a segment, recovery stops short, and that is no evidence either.
TEST_F(UnreadableDump, AnUnreadableArchivedWalSegmentMakesAPitrDrillAnError)
{
  const auto artifacts = testing::artifacts_dir();
  const auto expected = json::parse(testing::read_file(artifacts / "expected.json"));
  std::string target;
  for (const auto& mark : expected["marks"])
    if (mark["name"] == "after-tar-1") target = mark["time"];
  ASSERT_FALSE(target.empty());
  const auto as_is = fs::copy_options::recursive | fs::copy_options::copy_symlinks;
  fs::create_directories(m_repo.path() / "base");
  fs::copy(artifacts / "repo/base/plain-1", m_repo.path() / "base/plain-1", as_is);
  fs::copy(artifacts / "repo/wal", m_repo.path() / "wal", as_is);
  for (auto& entry : fs::recursive_directory_iterator(m_repo.path()))
    if (!entry.is_symlink()) fs::permissions(entry.path(), fs::perms::all);
  auto scan = lastgood("scan");
  ASSERT_EQ(scan.exit_code, 0) << scan.out << scan.err;
  std::string base_id;
  const auto listed = parse_or_fail(lastgood("backups --json"));
  for (const auto& b : listed["backups"])
    if (b["label"] == "plain-1") base_id = b["id"];
  ASSERT_FALSE(base_id.empty()) << scan.out << listed.dump(2);
  // After plain-1 the drill needs ...04.gz, ...05.zst and ...06 from the archive.
  fs::permissions(m_repo.path() / "wal/000000010000000000000006", fs::perms::none);
  auto r = lastgood("verify --level pitr --target-time " + target + " " + base_id + " --json");
  EXPECT_EQ(r.exit_code, 1) << r.out << r.err;
  const auto run = parse_or_fail(r)["runs"].at(0);
  EXPECT_EQ(run["outcome"], "error") << run.dump(2);
  for (const auto& f : run["findings"])
    EXPECT_NE(f["severity"], "failure") << f.dump(2);
  EXPECT_NE(run.dump().find("000000010000000000000006"), std::string::npos) << "names the segment\n"
                                                                            << run.dump(2);
  const auto after = parse_or_fail(lastgood("backups --json")); // kept alive for the loop
  for (const auto& b : after["backups"])
    EXPECT_NE(b["status"], "bad") << b.dump(2);
}

// ---------------------------------------------------------------- case 5

class KilledVerify : public ::testing::Test
{
protected:
  void SetUp() override
  {
    if (testing::artifacts_dir().empty())
      GTEST_SKIP() << "LASTGOOD_ARTIFACTS not set (run through ctest)";
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
    m_args = "--catalog " + shell_quote((m_home.path() / "catalog.db").string()) + " ";
    ASSERT_EQ(lastgood("repo add r " + shell_quote(m_repo.path().string())).exit_code, 0);
    ASSERT_EQ(lastgood("scan -q").exit_code, 0);
    m_id = parse_or_fail(lastgood("backups --json"))["backups"].at(0)["id"];
    m_scratch = pg::ScratchCluster::start({});
  }
  testing::CommandResult lastgood(const std::string& args)
  {
    return testing::run_lastgood(m_args + args);
  }
  bool scratch_database_exists(const std::string& name)
  {
    auto conn = pg::connect(m_scratch->conninfo("postgres"));
    return pqxx::nontransaction(*conn)
               .exec_params("SELECT 1 FROM pg_database WHERE datname = $1", name)
               .size() == 1;
  }
  // The running run once its scratch database exists (the restore is under way), else null.
  json running_run()
  {
    auto history = json::parse(lastgood("history --json").out, nullptr, false);
    if (history.is_discarded()) return json();
    for (const auto& run : history["runs"])
      if (run["outcome"] == "running" &&
          scratch_database_exists("lastgood_verify_" + std::to_string(run["run"].get<int>())))
        return run;
    return json();
  }

  std::string restore_verify()
  {
    return "verify --level restore --scratch " + shell_quote(m_scratch->conninfo("postgres")) +
           " " + m_id + " --json";
  }
  // Starts a test restore and kills it (-9) once its restore is under way;
  // returns the killed run's id (0 when it was never seen running).
  int kill_mid_restore()
  {
    auto killed = std::async(std::launch::async, [&] { return lastgood(restore_verify()); });
    json victim;
    for (int i = 0; i < 3000 && victim.is_null(); ++i) {
      if (killed.wait_for(std::chrono::milliseconds(20)) == std::future_status::ready) break;
      victim = running_run();
    }
    if (victim.is_null()) {
      ADD_FAILURE() << "never saw the restore under way:\n" << killed.get().out;
      return 0;
    }
    EXPECT_EQ(::kill(static_cast<pid_t>(victim["pid"].get<int>()), SIGKILL), 0);
    killed.get();
    const int run = victim["run"];
    EXPECT_TRUE(scratch_database_exists("lastgood_verify_" + std::to_string(run)));
    return run;
  }
  void expect_cleaned_up(int dead_run)
  {
    std::string outcome_of_dead;
    const auto history = parse_or_fail(lastgood("history --json"))["runs"];
    for (const auto& r : history)
      if (r["run"] == dead_run) outcome_of_dead = r["outcome"];
    EXPECT_EQ(outcome_of_dead, "error") << history.dump(2);
    EXPECT_FALSE(scratch_database_exists("lastgood_verify_" + std::to_string(dead_run)));
    EXPECT_EQ(parse_or_fail(lastgood("backups --json"))["backups"].at(0)["status"], "good");
  }

  TempDir m_home, m_repo;
  std::string m_args, m_id;
  std::unique_ptr<pg::ScratchCluster> m_scratch;
};

TEST_F(KilledVerify, TheNextVerifyTakesOverItsLeaseClosesItsRunAndDropsItsScratchDatabase)
{
  const int dead_run = kill_mid_restore();
  ASSERT_GT(dead_run, 0);
  auto next = lastgood(restore_verify());
  ASSERT_EQ(next.exit_code, 0) << next.out << next.err;
  const auto run = parse_or_fail(next)["runs"].at(0);
  EXPECT_EQ(run["outcome"], "pass") << "not SKIPPED behind a dead process's lease\n" << run.dump(2);
  expect_cleaned_up(dead_run);
}

TEST_F(KilledVerify, TheNextVerifyDueDoesTheSame)
{
  const int dead_run = kill_mid_restore();
  ASSERT_GT(dead_run, 0);
  auto next = lastgood("verify --due --scratch " + shell_quote(m_scratch->conninfo("postgres")) +
                       " --json");
  ASSERT_EQ(next.exit_code, 0) << next.out << next.err;
  const auto runs = parse_or_fail(next)["runs"];
  ASSERT_EQ(runs.size(), 1u) << runs.dump(2);
  EXPECT_EQ(runs[0]["level"], "restore") << runs.dump(2);
  EXPECT_EQ(runs[0]["outcome"], "pass") << "not SKIPPED behind a dead process's lease\n"
                                        << runs.dump(2);
  expect_cleaned_up(dead_run);
}

} // namespace
} // namespace lastgood
