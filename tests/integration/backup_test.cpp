// `lastgood backup` against a real PostgreSQL: the new backup is cataloged at
// once and verifies and picks without a scan; a failed or interrupted backup
// leaves nothing that looks like a backup; secrets stay out of messages.

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
#include <thread>

namespace lastgood {
namespace {

namespace fs = std::filesystem;
using nlohmann::json;
using testing::shell_quote;
using testing::TempDir;

class BackupTest : public ::testing::Test
{
protected:
  void SetUp() override
  {
    fs::permissions(m_repo.path(), fs::perms::all);
    m_catalog = "--catalog " + shell_quote((m_home.path() / "catalog.db").string()) + " ";
    m_cluster = pg::ScratchCluster::start({});
    ASSERT_EQ(lastgood("repo add r " + shell_quote(m_repo.path().string())).exit_code, 0);
  }
  testing::CommandResult lastgood(const std::string& args)
  {
    return testing::run_lastgood(m_catalog + args);
  }
  void create_database(const std::string& name, const std::string& fill_sql)
  {
    {
      auto conn = pg::connect(m_cluster->conninfo("postgres"));
      pqxx::nontransaction(*conn).exec("CREATE DATABASE " + name);
    }
    auto conn = pg::connect(m_cluster->conninfo(name));
    pqxx::nontransaction(*conn).exec(fill_sql);
  }
  void create_shop(const std::string& name)
  {
    create_database(name,
                    "CREATE TABLE items (id int PRIMARY KEY, name text);"
                    "INSERT INTO items SELECT g, 'item ' || g FROM generate_series(1, 1234) g;"
                    "CREATE TABLE orders (id int, item int REFERENCES items);"
                    "INSERT INTO orders SELECT g, 1 + g % 1234 FROM generate_series(1, 321) g;");
  }
  json backups()
  {
    auto list = lastgood("backups --json");
    EXPECT_EQ(list.exit_code, 0) << list.err;
    return json::parse(list.out)["backups"];
  }
  // Regular files in the repository (temp files of writes included).
  std::vector<std::string> repository_files()
  {
    std::vector<std::string> out;
    for (const auto& e : fs::recursive_directory_iterator(m_repo.path()))
      if (e.is_regular_file()) out.push_back(fs::relative(e.path(), m_repo.path()).string());
    return out;
  }
  // Backs up `db`, checks the catalog at once, restores it in a test restore
  // and picks it.
  json back_up_verify_and_pick(const std::string& db, const std::string& extra)
  {
    auto taken = lastgood("backup --repo r --dbname " + shell_quote(m_cluster->conninfo(db)) + " " +
                          extra + " --json");
    EXPECT_EQ(taken.exit_code, 0) << taken.out << taken.err;
    auto result = json::parse(taken.out);
    EXPECT_EQ(result["database"], db);
    EXPECT_EQ(result["sha256"].get<std::string>().size(), 64u);
    EXPECT_GT(result["size"].get<std::uint64_t>(), 0u);
    const auto id = result["backup_id"].get<std::string>();

    json listed;
    for (const auto& b : backups())
      if (b["id"] == id) listed = b;
    EXPECT_FALSE(listed.is_null()) << "not cataloged: " << id;
    EXPECT_EQ(listed["database"], db);
    EXPECT_EQ(listed["location"], result["key"]);
    EXPECT_TRUE(listed["problem"].is_null()) << listed["problem"];
    EXPECT_EQ(listed["start_time"], result["start_time"]);
    EXPECT_EQ(listed["stop_time"], result["stop_time"]);

    auto verified = lastgood("verify " + id + " --json");
    EXPECT_EQ(verified.exit_code, 0) << verified.out << verified.err;
    auto run = json::parse(verified.out)["runs"][0];
    EXPECT_EQ(run["outcome"], "pass") << run.dump(2);
    std::map<std::string, std::int64_t> rows;
    for (const auto& c : run["row_counts"])
      rows[c["table"].get<std::string>()] = c["rows"].get<std::int64_t>();
    EXPECT_EQ(rows["items"], 1234);
    EXPECT_EQ(rows["orders"], 321);

    auto picked = lastgood("pick --database " + db + " --json");
    EXPECT_EQ(picked.exit_code, 0) << picked.out << picked.err;
    EXPECT_EQ(json::parse(picked.out)["backup"]["id"], id);
    return listed;
  }

  TempDir m_home, m_repo;
  std::string m_catalog;
  std::unique_ptr<pg::ScratchCluster> m_cluster;
};

TEST_F(BackupTest, ZstdBackupIsCatalogedVerifiedAndPickedWithoutAScan)
{
  create_shop("shopzstd");
  auto listed = back_up_verify_and_pick("shopzstd", "--compress zstd --label nightly");
  EXPECT_EQ(listed["format"], "custom");
  EXPECT_EQ(listed["compression"], "zstd (outer) + none");
  EXPECT_TRUE(listed["location"].get<std::string>().ends_with("-nightly.dump.zst"))
      << listed["location"];
  // A scan afterwards finds the object unchanged and keeps the exact times.
  auto scan = lastgood("scan r --json");
  ASSERT_EQ(scan.exit_code, 0) << scan.out << scan.err;
  auto summary = json::parse(scan.out)["repositories"][0];
  EXPECT_EQ(summary["new"], 0);
  EXPECT_EQ(summary["unchanged"], 1);
  auto after = backups();
  ASSERT_EQ(after.size(), 1u);
  EXPECT_EQ(after[0]["start_time"], listed["start_time"]);
  EXPECT_EQ(after[0]["stop_time"], listed["stop_time"]);
  EXPECT_EQ(after[0]["compression"], "zstd (outer) + none");
}

TEST_F(BackupTest, CustomWithPgDumpCompressionAndDirectoryFormat)
{
  create_shop("shopplain");
  auto custom = back_up_verify_and_pick("shopplain", "");
  EXPECT_EQ(custom["format"], "custom");
  EXPECT_TRUE(custom["location"].get<std::string>().ends_with(".dump"));
  EXPECT_NE(custom["compression"].get<std::string>().find("gzip"), std::string::npos)
      << custom["compression"];

  create_shop("shopdir");
  auto dir = back_up_verify_and_pick("shopdir", "--format directory");
  EXPECT_EQ(dir["format"], "directory");
  EXPECT_TRUE(dir["location"].get<std::string>().ends_with(".dir"));
  EXPECT_GT(dir["objects"].get<int>(), 1);
  EXPECT_TRUE(fs::exists(m_repo.path() / dir["location"].get<std::string>() / "toc.dat"));
}

// The dump records which server it came from: the server's own system
// identifier (its cluster) and the repository's source; a later scan keeps both.
TEST_F(BackupTest, RecordsTheServersSystemIdentifierAndTheRepositorysSource)
{
  create_shop("shopsrc");
  std::string sysid;
  {
    auto conn = pg::connect(m_cluster->conninfo("postgres"));
    sysid = pqxx::nontransaction(*conn)
                .exec1("SELECT system_identifier::text FROM pg_control_system()")[0]
                .as<std::string>();
  }
  TempDir eu;
  fs::permissions(eu.path(), fs::perms::all);
  ASSERT_EQ(
      lastgood("repo add eu " + shell_quote(eu.path().string()) + " --source prod-eu").exit_code,
      0);
  auto taken = lastgood("backup --repo eu --dbname " + shell_quote(m_cluster->conninfo("shopsrc")) +
                        " --json");
  ASSERT_EQ(taken.exit_code, 0) << taken.out << taken.err;
  auto result = json::parse(taken.out);
  EXPECT_EQ(result["source"], "prod-eu");
  EXPECT_EQ(result["system_identifier"], sysid);
  auto check = [&](const char* when) {
    auto listed = lastgood("backups --source prod-eu --database shopsrc --json");
    ASSERT_EQ(listed.exit_code, 0) << listed.err;
    auto rows = json::parse(listed.out)["backups"];
    ASSERT_EQ(rows.size(), 1u) << when;
    EXPECT_EQ(rows[0]["id"], result["backup_id"]) << when;
    EXPECT_EQ(rows[0]["source"], "prod-eu") << when;
    EXPECT_EQ(rows[0]["system_identifier"], sysid) << when;
  };
  check("at once");
  ASSERT_EQ(lastgood("scan eu").exit_code, 0);
  check("after a scan");
  // A dump is not a base backup: pick --cluster still asks for those only.
  EXPECT_EQ(lastgood("pick --cluster " + sysid).exit_code, 3);
}

TEST_F(BackupTest, ZstdWithDirectoryFormatIsAUsageError)
{
  create_shop("shopusage");
  auto r = lastgood("backup --repo r --format directory --compress zstd --dbname " +
                    shell_quote(m_cluster->conninfo("shopusage")));
  EXPECT_EQ(r.exit_code, 2) << r.err;
  EXPECT_NE(r.err.find("--format custom"), std::string::npos) << r.err;
  auto bad_level = lastgood("backup --repo r --compress zstd:99 --dbname " +
                            shell_quote(m_cluster->conninfo("shopusage")));
  EXPECT_EQ(bad_level.exit_code, 2) << bad_level.err;
  auto no_repo =
      lastgood("backup --repo nope --dbname " + shell_quote(m_cluster->conninfo("shopusage")));
  EXPECT_EQ(no_repo.exit_code, 2) << no_repo.err;
  EXPECT_TRUE(repository_files().empty());
}

TEST_F(BackupTest, KilledPgDumpLeavesNoObjectAndNothingCataloged)
{
  // Big enough that pg_dump runs for a while: ~2.5 million rows of hex text.
  create_database("bigkillme",
                  "CREATE TABLE big AS SELECT g, md5(g::text) || md5((g * 7)::text) AS t"
                  " FROM generate_series(1, 2500000) g");
  auto running = std::async(std::launch::async, [&] {
    return lastgood("backup --repo r --compress zstd:1 --dbname " +
                    shell_quote(m_cluster->conninfo("bigkillme")));
  });
  bool killed = false;
  const std::string pattern =
      shell_quote("[p]g_dump .*bigkillme"); // [p]: not the shell running pgrep
  for (int i = 0; i < 500 && !killed; ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
    if (testing::run_shell("pgrep -f " + pattern + " >/dev/null").exit_code != 0) continue;
    std::this_thread::sleep_for(std::chrono::milliseconds(300)); // let it stream some data first
    killed = testing::run_shell("pkill -KILL -f " + pattern).exit_code == 0;
  }
  ASSERT_TRUE(killed) << "pg_dump was never seen running";
  auto r = running.get();
  EXPECT_EQ(r.exit_code, 1) << r.out << r.err;
  EXPECT_NE(r.err.find("pg_dump of database 'bigkillme'"), std::string::npos) << r.err;
  EXPECT_NE(r.err.find("killed by signal 9"), std::string::npos) << r.err;
  EXPECT_NE(r.err.find("nothing was stored"), std::string::npos) << r.err;
  EXPECT_TRUE(repository_files().empty()) << repository_files().front();
  EXPECT_TRUE(backups().empty());
  auto scan = lastgood("scan r --json");
  EXPECT_EQ(json::parse(scan.out)["repositories"][0]["new"], 0);
}

TEST_F(BackupTest, BadCredentialsAndUnreachableServerFailWithoutThePassword)
{
  auto wrong_user =
      lastgood("backup --repo r --dbname " +
               shell_quote(m_cluster->conninfo("postgres") + " user=nosuchrole password=hunter2"));
  EXPECT_EQ(wrong_user.exit_code, 1) << wrong_user.err;
  EXPECT_NE(wrong_user.err.find("nosuchrole"), std::string::npos) << wrong_user.err;
  EXPECT_EQ(wrong_user.err.find("hunter2"), std::string::npos) << wrong_user.err;
  EXPECT_EQ(wrong_user.out.find("hunter2"), std::string::npos);

  auto unreachable = lastgood(
      "backup --repo r --dbname 'postgresql://me:hunter2@127.0.0.1:1/shop?connect_timeout=3'");
  EXPECT_EQ(unreachable.exit_code, 1) << unreachable.err;
  EXPECT_EQ(unreachable.err.find("hunter2"), std::string::npos) << unreachable.err;
  EXPECT_NE(unreachable.err.find("127.0.0.1"), std::string::npos) << unreachable.err;
  EXPECT_TRUE(repository_files().empty());
  EXPECT_TRUE(backups().empty());
}

} // namespace
} // namespace lastgood
