// A cluster whose superusers are neither postgres nor lastgood (initdb -U dba,
// or a renamed bootstrap superuser): its base backup is test-restored with a
// superuser named in the backup's own pg_authid, not given up as "could not
// check".

#include "pg/child_process.hpp"
#include "pg/pg_connection.hpp"
#include "pg/role_names.hpp"
#include "pg/scratch_cluster.hpp"
#include "tests/support/run_command.hpp"
#include "tests/support/temp_dir.hpp"

#include <filesystem>
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>
#include <pqxx/nontransaction>
#include <pwd.h>
#include <unistd.h>

namespace lastgood {
namespace {

namespace fs = std::filesystem;
using nlohmann::json;

void run_sql(const std::string& conninfo, const std::string& sql)
{
  auto conn = pg::connect(conninfo);
  pqxx::nontransaction(*conn).exec(sql);
}

TEST(RestoredSuperuser, BaseBackupWithOnlyUnusualSuperusersIsTestRestored)
{
  testing::TempDir home;
  fs::permissions(home.path(),
                  fs::perms::owner_all | fs::perms::group_exec | fs::perms::others_exec);
  auto source = pg::ScratchCluster::start({.base_dir = home.path().string()});
  run_sql(source->conninfo(), "CREATE ROLE dba SUPERUSER LOGIN;"
                              "CREATE TABLE kept AS SELECT g FROM generate_series(1, 42) g");
  source->set_user("dba");
  run_sql(source->conninfo(), "ALTER ROLE lastgood RENAME TO boss; CHECKPOINT");

  const auto names = pg::superuser_names_in(source->data_dir());
  EXPECT_NE(std::find(names.begin(), names.end(), "dba"), names.end());
  EXPECT_NE(std::find(names.begin(), names.end(), "boss"), names.end());
  EXPECT_EQ(std::find(names.begin(), names.end(), "postgres"), names.end());

  const fs::path repo = home.path() / "repo";
  fs::create_directories(repo);
  if (!source->run_as().empty() && ::geteuid() == 0) {
    passwd* pw = ::getpwnam(source->run_as().c_str());
    ASSERT_NE(pw, nullptr);
    ASSERT_EQ(::chown(repo.c_str(), pw->pw_uid, pw->pw_gid), 0);
  }
  auto backup = pg::run_process(
      {.argv = {pg::find_pg_program("pg_basebackup"), "-D", (repo / "base-1").string(), "-Ft", "-X",
                "stream", "-c", "fast", "--no-sync", "-h", source->socket_dir(), "-p",
                std::to_string(source->port()), "-U", "dba"},
       .run_as_user = ::geteuid() == 0 ? source->run_as() : "",
       .cwd = home.path().string()});
  ASSERT_EQ(backup.exit_code, 0) << backup.err;
  fs::permissions(repo, fs::perms::owner_all | fs::perms::group_exec | fs::perms::others_exec);
  testing::run_shell("chmod -R a+rX " + testing::shell_quote(repo.string()));

  const std::string cat =
      "--catalog " + testing::shell_quote((home.path() / "catalog.db").string()) + " ";
  ASSERT_EQ(
      testing::run_lastgood(cat + "repo add r " + testing::shell_quote(repo.string())).exit_code,
      0);
  ASSERT_EQ(testing::run_lastgood(cat + "scan -q").exit_code, 0);
  auto verify = testing::run_lastgood(cat + "verify --level restore --json");
  EXPECT_EQ(verify.exit_code, 0) << verify.out << verify.err;
  auto doc = json::parse(verify.out, nullptr, false);
  ASSERT_FALSE(doc.is_discarded()) << verify.out << verify.err;
  ASSERT_EQ(doc["runs"].size(), 1u) << verify.out;
  const auto& run = doc["runs"][0];
  EXPECT_EQ(run["outcome"], "pass") << run.dump(2);
  bool counted = false;
  for (const auto& c : run["row_counts"])
    if (c["table"] == "kept") counted = c["rows"] == 42;
  EXPECT_TRUE(counted) << run["row_counts"].dump();
}

TEST(RestoredSuperuser, DamagedOrForeignBytesNameNobody)
{
  EXPECT_TRUE(pg::superuser_names_in_heap(std::string(8192, '\xff')).empty());
  EXPECT_TRUE(pg::superuser_names_in_heap("short").empty());
  EXPECT_EQ(pg::mapped_filenode("", 1260), 0u);
  EXPECT_EQ(pg::mapped_filenode(std::string(512, '\0'), 1260), 0u);
  EXPECT_TRUE(pg::superuser_names_in("/nonexistent").empty());
}

} // namespace
} // namespace lastgood
