// Children die with their parent (issue 12, findings 4 and 5), with real
// processes and kill -9: a killed `backup` leaves no pg_dump working on and
// the next run removes its partial files with an audit row; a killed
// `verify --level restore` leaves no initdb, pg_restore or postgres behind and
// the next verify proceeds.

#include "catalog/catalog.hpp"
#include "pg/pg_connection.hpp"
#include "pg/scratch_cluster.hpp"
#include "storage/temp_files.hpp"
#include "tests/support/run_command.hpp"
#include "tests/support/temp_dir.hpp"

#include <algorithm>
#include <chrono>
#include <csignal>
#include <fcntl.h>
#include <filesystem>
#include <fstream>
#include <functional>
#include <gtest/gtest.h>
#include <iostream>
#include <map>
#include <nlohmann/json.hpp>
#include <pqxx/pqxx>
#include <random>
#include <set>
#include <sstream>
#include <sys/wait.h>
#include <thread>
#include <unistd.h>

namespace lastgood {
namespace {

namespace fs = std::filesystem;
using namespace std::chrono_literals;
using nlohmann::json;
using testing::shell_quote;
using testing::TempDir;

// ---- the process table, read from /proc ----

struct ProcInfo
{
  pid_t pid = 0, ppid = 0, pgrp = 0;
  char state = '?';
  std::string comm, cmdline;
};

std::vector<ProcInfo> processes()
{
  std::vector<ProcInfo> out;
  std::error_code ec;
  for (const auto& e : fs::directory_iterator("/proc", ec)) {
    std::string name = e.path().filename().string();
    if (name.find_first_not_of("0123456789") != std::string::npos) continue;
    std::ifstream stat(e.path() / "stat");
    std::string line;
    if (!std::getline(stat, line)) continue;
    auto open = line.find('('), close = line.rfind(')');
    if (open == std::string::npos || close == std::string::npos || close + 4 > line.size())
      continue;
    ProcInfo p;
    p.pid = std::stoi(name);
    p.comm = line.substr(open + 1, close - open - 1);
    p.state = line[close + 2];
    std::istringstream fields(line.substr(close + 4));
    fields >> p.ppid >> p.pgrp;
    try { // a process that exits while we read: its files fail with ESRCH
      std::ifstream cmd(e.path() / "cmdline", std::ios::binary);
      p.cmdline.assign(std::istreambuf_iterator<char>(cmd), std::istreambuf_iterator<char>());
    } catch (const std::exception&) {
      continue;
    }
    for (char& c : p.cmdline)
      if (c == '\0') c = ' ';
    out.push_back(std::move(p));
  }
  return out;
}

bool alive(pid_t pid)
{
  for (const auto& p : processes())
    if (p.pid == pid) return p.state != 'Z';
  return false;
}

// pid's descendants (children, their children...), alive now.
std::vector<ProcInfo> descendants(pid_t pid)
{
  auto all = processes();
  std::set<pid_t> family{pid};
  std::vector<ProcInfo> out;
  for (bool grew = true; grew;) {
    grew = false;
    for (const auto& p : all)
      if (family.count(p.ppid) && !family.count(p.pid) && p.state != 'Z') {
        family.insert(p.pid);
        out.push_back(p);
        grew = true;
      }
  }
  return out;
}

// Polls every 20 ms until `done` or `limit` passes; the result of the last look.
bool eventually(const std::function<bool()>& done, std::chrono::milliseconds limit)
{
  for (auto start = std::chrono::steady_clock::now();;) {
    if (done()) return true;
    if (std::chrono::steady_clock::now() - start > limit) return done();
    std::this_thread::sleep_for(20ms);
  }
}

class CrashChildrenTest : public ::testing::Test
{
protected:
  void SetUp() override
  {
    for (const auto* dir : {&m_repo, &m_tmp})
      fs::permissions(dir->path(), fs::perms::all); // scratch clusters run as postgres
    m_cluster = pg::ScratchCluster::start({});
    {
      auto conn = pg::connect(m_cluster->conninfo("postgres"));
      pqxx::nontransaction(*conn).exec("CREATE DATABASE shop");
    }
    auto conn = pg::connect(m_cluster->conninfo("shop"));
    pqxx::nontransaction(*conn).exec(
        "CREATE TABLE items (id int PRIMARY KEY, name text);"
        "INSERT INTO items SELECT g, 'item ' || g FROM generate_series(1, 20000) g;");
    ASSERT_EQ(lastgood("repo add r " + shell_quote(m_repo.path().string())).exit_code, 0);
  }
  void TearDown() override
  {
    if (m_running > 0) {
      ::kill(m_running, SIGKILL);
      ::waitpid(m_running, nullptr, 0);
    }
  }
  std::string catalog_path() const { return (m_home.path() / "catalog.db").string(); }
  // lastgood run to completion, with our private $TMPDIR.
  testing::CommandResult lastgood(const std::string& args)
  {
    return testing::run_shell("TMPDIR=" + shell_quote(m_tmp.path().string()) + " " +
                              shell_quote(testing::lastgood_binary()) + " --catalog " +
                              shell_quote(catalog_path()) + " " + args);
  }
  // lastgood started in the background (our child, so we can kill -9 it).
  pid_t start_lastgood(std::vector<std::string> args)
  {
    args.insert(args.begin(), {testing::lastgood_binary(), "--catalog", catalog_path()});
    std::vector<char*> argv;
    for (auto& a : args)
      argv.push_back(a.data());
    argv.push_back(nullptr);
    std::string log = (m_home.path() / "background.log").string();
    std::string tmpdir = m_tmp.path().string();
    pid_t pid = ::fork();
    if (pid == 0) {
      int fd = ::open(log.c_str(), O_WRONLY | O_CREAT | O_APPEND, 0644);
      ::dup2(fd, 1), ::dup2(fd, 2);
      ::setenv("TMPDIR", tmpdir.c_str(), 1);
      ::execv(argv[0], argv.data());
      ::_exit(127);
    }
    m_running = pid;
    return pid;
  }
  void kill_running()
  {
    ::kill(m_running, SIGKILL);
    ::waitpid(m_running, nullptr, 0);
    m_running = 0;
  }
  std::vector<std::string> repository_temp_files() const
  {
    std::vector<std::string> out;
    for (const auto& e : fs::recursive_directory_iterator(m_repo.path()))
      if (e.path().filename().string().starts_with(".lastgood-tmp-"))
        out.push_back(fs::relative(e.path(), m_repo.path()).string());
    return out;
  }
  std::vector<std::string> temp_dirs(const std::string& prefix) const
  {
    std::vector<std::string> out;
    for (const auto& e : fs::directory_iterator(m_tmp.path()))
      if (e.path().filename().string().starts_with(prefix)) out.push_back(e.path().string());
    return out;
  }
  std::string audit_text()
  {
    auto db = catalog::Catalog::open(catalog_path());
    auto s = db->db().prepare(
        "SELECT action || ' ' || coalesce(subject, '') FROM audit_log ORDER BY id");
    std::string out;
    while (s.step())
      out += s.text(0) + "\n";
    return out;
  }
  std::string background_log() const
  {
    return testing::read_file(m_home.path() / "background.log");
  }
  // Whether pg_dump waits for the lock the test holds.
  bool pg_dump_waits_for_lock()
  {
    auto conn = pg::connect(m_cluster->conninfo("postgres"));
    auto n = pqxx::nontransaction(*conn)
                 .exec("SELECT count(*) FROM pg_stat_activity WHERE application_name = 'pg_dump'"
                       " AND wait_event_type = 'Lock'")[0][0]
                 .as<int>();
    return n > 0;
  }

  // Kills a `backup --format <format>` while its pg_dump waits for a table
  // lock (mid-dump, deterministically), then checks the pg_dump is gone.
  void kill_backup_mid_dump(const std::string& format)
  {
    auto holder = pg::connect(m_cluster->conninfo("shop"));
    pqxx::work lock(*holder);
    lock.exec("LOCK TABLE items IN ACCESS EXCLUSIVE MODE");
    pid_t pid = start_lastgood(
        {"backup", "--repo", "r", "--dbname", m_cluster->conninfo("shop"), "--format", format});
    ASSERT_TRUE(eventually([&] { return pg_dump_waits_for_lock(); }, 60s)) << background_log();
    std::vector<ProcInfo> family = descendants(pid);
    ASSERT_TRUE(std::any_of(family.begin(), family.end(),
                            [](const ProcInfo& p) { return p.comm == "pg_dump"; }));
    kill_running();
    const auto killed_at = std::chrono::steady_clock::now();
    EXPECT_TRUE(eventually(
        [&] {
          return std::none_of(family.begin(), family.end(),
                              [](const ProcInfo& p) { return alive(p.pid); });
        },
        10s))
        << "pg_dump of the killed backup (lastgood pid " << pid << ") still runs";
    std::cerr << format << " backup killed: its pg_dump gone after "
              << std::chrono::duration_cast<std::chrono::milliseconds>(
                     std::chrono::steady_clock::now() - killed_at)
                     .count()
              << " ms (measured, not asserted)\n";
    lock.abort();
  }

  TempDir m_home, m_repo, m_tmp;
  std::unique_ptr<pg::ScratchCluster> m_cluster;
  pid_t m_running = 0;
};

TEST_F(CrashChildrenTest, KilledCustomBackupLeavesNoPgDumpAndScanRemovesItsTempFile)
{
  kill_backup_mid_dump("custom");
  auto left = repository_temp_files();
  ASSERT_FALSE(left.empty()) << "the killed backup left no temp file to clean";

  auto scan = lastgood("scan --json");
  ASSERT_EQ(scan.exit_code, 0) << scan.out << scan.err;
  auto summary = json::parse(scan.out);
  EXPECT_TRUE(repository_temp_files().empty());
  EXPECT_FALSE(summary["repositories"][0]["cleaned_up"].empty()) << scan.out;
  auto audit = audit_text();
  for (const auto& name : left)
    EXPECT_NE(audit.find("cleanup.temp_file r:" + name), std::string::npos) << audit;
}

TEST_F(CrashChildrenTest, ScanReportsTempFilesOfLiveOrUnknownWritersAndLeavesThem)
{
  // One of a write in progress (this test process is alive), one of an older
  // version (no owner recorded).
  std::string live = "shop/" + storage::temp_file_name("shop.dump");
  std::string old = "shop/.lastgood-tmp-0123456789abcdef-old.dump";
  m_repo.write(live, "partial");
  m_repo.write(old, "partial");
  auto scan = lastgood("scan --json");
  ASSERT_EQ(scan.exit_code, 0) << scan.out << scan.err;
  auto reported = json::parse(scan.out)["repositories"][0]["temp_files"];
  ASSERT_EQ(reported.size(), 2u) << scan.out;
  EXPECT_TRUE(fs::exists(m_repo.path() / live));
  EXPECT_TRUE(fs::exists(m_repo.path() / old));
  EXPECT_EQ(audit_text().find("cleanup."), std::string::npos) << audit_text();
  auto text = lastgood("scan");
  EXPECT_NE(text.out.find("temp file " + live + ": a write in progress by process " +
                          std::to_string(::getpid())),
            std::string::npos)
      << text.out;
}

TEST_F(CrashChildrenTest, KilledDirectoryBackupLeavesNoPgDumpAndTheNextBackupRemovesItsDump)
{
  kill_backup_mid_dump("directory");
  auto left = temp_dirs("lastgood-backup-");
  ASSERT_FALSE(left.empty()) << "the killed backup left no dump directory to clean";

  auto next = lastgood("backup --repo r --format directory --json --dbname " +
                       shell_quote(m_cluster->conninfo("shop")));
  ASSERT_EQ(next.exit_code, 0) << next.out << next.err;
  EXPECT_FALSE(json::parse(next.out)["cleaned_up"].empty()) << next.out;
  EXPECT_TRUE(temp_dirs("lastgood-backup-").empty());
  auto audit = audit_text();
  for (const auto& dir : left)
    EXPECT_NE(audit.find("cleanup.temp_dir " + dir), std::string::npos) << audit;
}

TEST_F(CrashChildrenTest, KilledRestoreVerifyLeavesNoToolOrServerAndTheNextVerifyProceeds)
{
  auto taken =
      lastgood("backup --repo r --json --dbname " + shell_quote(m_cluster->conninfo("shop")));
  ASSERT_EQ(taken.exit_code, 0) << taken.out << taken.err;
  const std::string id = json::parse(taken.out)["backup_id"];

  // Each stage once, in a seeded order: the postmaster ("postgres -p": initdb
  // runs postgres too, without a port), initdb, pg_restore.
  std::vector<std::string> stages = {"initdb", "postmaster", "pg_restore"};
  std::shuffle(stages.begin(), stages.end(), std::mt19937(12));
  auto is_stage = [](const ProcInfo& p, const std::string& stage) {
    if (stage == "postmaster")
      return p.comm == "postgres" && p.cmdline.find(" -p ") != std::string::npos;
    return p.comm == stage;
  };
  int killed = 0;
  for (int trial = 0; trial < 3; ++trial) {
    const std::string& stage = stages[trial];
    SCOPED_TRACE("trial " + std::to_string(trial) + ": kill while " + stage + " runs");
    pid_t pid = start_lastgood({"verify", id, "--level", "restore"});
    const std::string marker = "lastgood-scratch-" + std::to_string(pid) + "-";
    // The killed run's tools and servers: its descendants, and any process
    // working in its scratch dir (pg_ctl lets a postmaster daemonize).
    std::map<pid_t, ProcInfo> seen;
    std::set<pid_t> groups; // the tools' process groups: their own children too
    auto look = [&] {
      for (const auto& p : descendants(pid)) {
        seen[p.pid] = p;
        if (p.pgrp != ::getpgrp()) groups.insert(p.pgrp); // not yet in its own group
      }
      for (const auto& p : processes())
        if (p.cmdline.find(marker) != std::string::npos && p.state != 'Z') seen[p.pid] = p;
      for (const auto& [_, p] : seen)
        if (is_stage(p, stage) && alive(p.pid)) return true;
      return !alive(pid); // finished before we saw that stage
    };
    ASSERT_TRUE(eventually(look, 60s)) << background_log();
    if (!alive(pid)) {
      GTEST_LOG_(INFO) << "verify finished before " << stage << " was seen; trial skipped";
      ::waitpid(pid, nullptr, 0);
      m_running = 0;
      continue;
    }
    look();
    kill_running();
    ++killed;
    std::cerr << "trial " << trial << ": killed verify while " << stage << " ran\n";
    auto leftover = [&] {
      std::string out;
      for (const auto& [p, info] : seen)
        if (alive(p)) out += " " + std::to_string(p) + " " + info.comm;
      for (const auto& p : processes())
        if ((p.cmdline.find(marker) != std::string::npos || groups.count(p.pgrp)) && p.state != 'Z')
          out += " " + std::to_string(p.pid) + " " + p.comm;
      return out;
    };
    const auto killed_at = std::chrono::steady_clock::now();
    EXPECT_TRUE(eventually([&] { return leftover().empty(); }, 15s))
        << "still running after the kill:" << leftover();
    std::cerr << "  its tools and server gone after "
              << std::chrono::duration_cast<std::chrono::milliseconds>(
                     std::chrono::steady_clock::now() - killed_at)
                     .count()
              << " ms (measured, not asserted)\n";
  }

  EXPECT_GE(killed, 2) << "too few trials killed the verify mid-restore";
  auto next = lastgood("verify " + id + " --level restore --json");
  EXPECT_EQ(next.exit_code, 0) << next.out << next.err;
  EXPECT_NE(next.out.find("\"pass\""), std::string::npos) << next.out;
  for (const auto& kind : {"lastgood-scratch-", "lastgood-copy-"})
    for (const auto& dir : temp_dirs(kind))
      ADD_FAILURE() << "left behind: " << dir << "\n" << next.out << next.err;
}

} // namespace
} // namespace lastgood
