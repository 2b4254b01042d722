#include "common/error.hpp"
#include "pg/pg_connection.hpp"
#include "pg/scratch_cluster.hpp"
#include "tests/support/temp_dir.hpp"

#include <csignal>
#include <filesystem>
#include <fstream>
#include <gtest/gtest.h>
#include <pqxx/nontransaction>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

namespace lastgood::pg {
namespace {

namespace fs = std::filesystem;

pid_t postmaster_pid(const std::string& data_dir)
{
  std::ifstream in(data_dir + "/postmaster.pid");
  long pid = 0;
  in >> pid;
  return static_cast<pid_t>(pid);
}

// Gone, or a zombie nobody has reaped yet.
bool process_alive(pid_t pid)
{
  if (::kill(pid, 0) != 0) return false;
  std::ifstream stat("/proc/" + std::to_string(pid) + "/stat");
  std::string line;
  std::getline(stat, line);
  auto paren = line.rfind(')');
  return paren == std::string::npos || line.substr(paren + 2, 1) != "Z";
}

std::string query_one(const std::string& conninfo, const std::string& sql)
{
  auto conn = connect(conninfo);
  pqxx::nontransaction tx(*conn);
  return tx.exec(sql)[0][0].c_str();
}

// A base dir the postgres user can traverse when the tests run as root.
class ScratchBase
{
public:
  ScratchBase()
  {
    fs::permissions(m_dir.path(),
                    fs::perms::all & ~fs::perms::others_write & ~fs::perms::group_write);
  }
  std::string path() const { return m_dir.path().string(); }

private:
  testing::TempDir m_dir;
};

TEST(ScratchCluster, StartsConnectsAndCleansUp)
{
  ScratchBase base;
  std::string dir, data;
  pid_t pid = 0;
  {
    auto cluster = ScratchCluster::start({.base_dir = base.path(), .settings = {"work_mem=8MB"}});
    dir = cluster->socket_dir();
    data = cluster->data_dir();
    EXPECT_TRUE(fs::path(dir).filename().string().starts_with("lastgood-scratch-" +
                                                              std::to_string(::getpid()) + "-"));
    EXPECT_GT(cluster->port(), 0);
    EXPECT_NE(cluster->conninfo("shop").find("dbname=shop"), std::string::npos);
    pid = postmaster_pid(data);
    ASSERT_GT(pid, 0);
    EXPECT_TRUE(process_alive(pid));

    auto conn = connect(cluster->conninfo());
    {
      pqxx::nontransaction tx(*conn);
      EXPECT_EQ(tx.exec("SELECT 1")[0][0].as<int>(), 1);
      EXPECT_EQ(tx.exec("SELECT current_user")[0][0].as<std::string>(), "lastgood");
      EXPECT_EQ(tx.exec("SHOW work_mem")[0][0].as<std::string>(), "8MB");
      EXPECT_EQ(tx.exec("SHOW fsync")[0][0].as<std::string>(), "off");
    }
    EXPECT_TRUE(server_has_extension(*conn, "amcheck"));
    EXPECT_FALSE(server_has_extension(*conn, "lastgood_no_such_extension"));
    {
      pqxx::nontransaction tx(*conn);
      tx.exec("CREATE EXTENSION amcheck");
      tx.exec("CREATE DATABASE " + quote_ident("we\"ird db"));
    }
    EXPECT_EQ(query_one(cluster->conninfo("we\"ird db"), "SELECT current_database()"),
              "we\"ird db");
    conn.reset();
    EXPECT_NE(cluster->log_tail(), "");
  }
  EXPECT_FALSE(fs::exists(dir));
  EXPECT_FALSE(process_alive(pid)) << "postmaster " << pid << " still running";
}

TEST(ScratchCluster, TwoClustersRunSideBySide)
{
  ScratchBase base;
  auto a = ScratchCluster::start({.base_dir = base.path()});
  auto b = ScratchCluster::start({.base_dir = base.path()});
  EXPECT_NE(a->port(), b->port());
  EXPECT_NE(a->data_dir(), b->data_dir());
  EXPECT_EQ(query_one(a->conninfo(), "SELECT 1"), "1");
  EXPECT_EQ(query_one(b->conninfo(), "SELECT 2"), "2");
  a->stop();
  a->stop(); // idempotent
  EXPECT_THROW(connect(a->conninfo()), DatabaseError);
  EXPECT_EQ(query_one(b->conninfo(), "SELECT 3"), "3");
}

TEST(ScratchCluster, ConnectFailureIsADatabaseErrorWithoutThePassword)
{
  try {
    connect("host=/nonexistent port=1 dbname=x user=u password=hunter2");
    FAIL() << "expected DatabaseError";
  } catch (const DatabaseError& e) {
    std::string message = e.what();
    EXPECT_EQ(message.find("hunter2"), std::string::npos) << message;
    EXPECT_NE(message.find("password=********"), std::string::npos) << message;
    EXPECT_NE(message.find("server is running"), std::string::npos) << message;
  }
}

TEST(ScratchCluster, QuoteIdentDoublesQuotes)
{
  EXPECT_EQ(quote_ident("shop"), "\"shop\"");
  EXPECT_EQ(quote_ident("a\"b"), "\"a\"\"b\"");
  EXPECT_THROW(quote_ident(""), ValidationError);
  EXPECT_THROW(quote_ident(std::string("a\0b", 3)), ValidationError);
}

TEST(ScratchCluster, BadSettingIsAUsageError)
{
  ScratchBase base;
  EXPECT_THROW(ScratchCluster::start({.base_dir = base.path(), .settings = {"no equals sign"}}),
               UsageError);
  EXPECT_TRUE(fs::is_empty(base.path()));
}

TEST(ScratchCluster, StartFailureShowsTheServerLog)
{
  ScratchBase base;
  try {
    ScratchCluster::start({.base_dir = base.path(), .settings = {"shared_buffers=lots"}});
    FAIL() << "expected Error";
  } catch (const Error& e) {
    std::string message = e.what();
    EXPECT_NE(message.find("could not start a scratch PostgreSQL server"), std::string::npos)
        << message;
    EXPECT_NE(message.find("shared_buffers"), std::string::npos) << message;
  }
  EXPECT_TRUE(fs::is_empty(base.path()));
}

// A server still running in a dir whose owner is gone. The postmaster dies
// with its parent (PR_SET_PDEATHSIG), so the owner here stays blocked while
// its dir takes the name of a dead pid; its own exit would race the check.
TEST(ScratchCluster, RemovesStaleClustersOnly)
{
  ScratchBase base;
  int to_owner[2], from_owner[2];
  ASSERT_EQ(::pipe(to_owner), 0);
  ASSERT_EQ(::pipe(from_owner), 0);
  pid_t owner = ::fork();
  ASSERT_GE(owner, 0);
  if (owner == 0) {
    ::close(to_owner[1]);
    ::close(from_owner[0]);
    std::string line;
    try {
      auto cluster = ScratchCluster::start({.base_dir = base.path()});
      line = cluster->data_dir() + "\n";
      (void)cluster.release(); // leaked on purpose: _exit runs no destructors
    } catch (const std::exception& e) {
      line = std::string("ERROR ") + e.what() + "\n";
    }
    [[maybe_unused]] auto n = ::write(from_owner[1], line.data(), line.size());
    char byte;
    [[maybe_unused]] auto r = ::read(to_owner[0], &byte, 1); // until the test is done
    ::_exit(0);
  }
  ::close(to_owner[0]);
  ::close(from_owner[1]);
  std::string line;
  char buf[4096];
  for (ssize_t n; !line.ends_with("\n") && (n = ::read(from_owner[0], buf, sizeof buf)) > 0;)
    line.append(buf, static_cast<std::size_t>(n));
  ::close(from_owner[0]);
  auto release_owner = [&] {
    ::close(to_owner[1]);
    ::waitpid(owner, nullptr, 0);
  };
  if (!line.ends_with("\n") || line.starts_with("ERROR")) {
    release_owner();
    FAIL() << line;
  }
  pid_t dead = ::fork();
  if (dead == 0) ::_exit(0);
  ::waitpid(dead, nullptr, 0);
  std::string owner_dir = fs::path(line.substr(0, line.size() - 1)).parent_path().string();
  std::string stale_dir = base.path() + "/lastgood-scratch-" + std::to_string(dead) + "-" +
                          owner_dir.substr(owner_dir.size() - 6);
  fs::rename(owner_dir, stale_dir);
  pid_t stale_postmaster = postmaster_pid(stale_dir + "/data");
  EXPECT_TRUE(process_alive(stale_postmaster));

  auto live = ScratchCluster::start({.base_dir = base.path()});
  fs::create_directory(base.path() + "/lastgood-scratch-notapid-abcdef");
  fs::create_directory(base.path() + "/unrelated-" + std::to_string(dead));
  // A dead pid's dir with a stopped cluster in it (no postmaster.pid).
  fs::create_directories(base.path() + "/lastgood-scratch-" + std::to_string(dead) +
                         "-zzzzzz/data");

  EXPECT_EQ(remove_stale_scratch_clusters(base.path()), 2);
  EXPECT_FALSE(fs::exists(stale_dir));
  EXPECT_FALSE(process_alive(stale_postmaster))
      << "stale postmaster " << stale_postmaster << " still running";
  EXPECT_TRUE(fs::exists(live->data_dir()));
  EXPECT_EQ(query_one(live->conninfo(), "SELECT 1"), "1");
  EXPECT_TRUE(fs::exists(base.path() + "/lastgood-scratch-notapid-abcdef"));
  EXPECT_TRUE(fs::exists(base.path() + "/unrelated-" + std::to_string(dead)));
  EXPECT_EQ(remove_stale_scratch_clusters(base.path()), 0);
  release_owner();
}

// A killed postmaster's children (or initdb's) die a moment after it; removing
// the dir under them can race with files they still create.
TEST(ScratchCluster, StaleDirIsRemovedOnlyAfterTheProcessesWorkingInItAreGone)
{
  ScratchBase base;
  pid_t dead = ::fork();
  if (dead == 0) ::_exit(0);
  ::waitpid(dead, nullptr, 0);
  std::string dir = base.path() + "/lastgood-scratch-" + std::to_string(dead) + "-yyyyyy";
  fs::create_directories(dir + "/data");
  pid_t worker = ::fork();
  if (worker == 0) {
    if (::chdir((dir + "/data").c_str()) != 0) ::_exit(1);
    ::usleep(700 * 1000);
    ::_exit(0);
  }

  EXPECT_EQ(remove_stale_scratch_clusters(base.path()), 1);
  EXPECT_FALSE(fs::exists(dir));
  pid_t reaped = ::waitpid(worker, nullptr, WNOHANG);
  EXPECT_EQ(reaped, worker) << "the dir was removed while a process still worked in it";
  if (reaped == 0) ::waitpid(worker, nullptr, 0);
}

} // namespace
} // namespace lastgood::pg
