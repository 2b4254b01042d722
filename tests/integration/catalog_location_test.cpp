// Issue 11, case 7: a mistyped catalog path is an error, not an empty catalog; only
// set-up commands create one; a catalog the user may only read can still be read.

#include "catalog/catalog.hpp"
#include "catalog/database.hpp"
#include "common/sha256.hpp"
#include "tests/support/run_command.hpp"
#include "tests/support/sqlite_file_only.hpp"
#include "tests/support/temp_dir.hpp"

#include <filesystem>
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>
#include <sys/stat.h>
#include <unistd.h>

namespace lastgood {
namespace {

namespace fs = std::filesystem;
using nlohmann::json;
using testing::run_lastgood;
using testing::run_shell;
using testing::shell_quote;
using testing::TempDir;

#define EXPECT_CONTAINS(haystack, needle)                                                          \
  EXPECT_NE((haystack).find(needle), std::string::npos)                                            \
      << "expected '" << (needle) << "' in: " << (haystack)

class CatalogLocation : public ::testing::Test
{
protected:
  void SetUp() override
  {
    if (testing::artifacts_dir().empty())
      GTEST_SKIP() << "LASTGOOD_ARTIFACTS not set (run through ctest)";
  }
  // Runs with a clean environment for the catalog's location: only what `env` sets.
  testing::CommandResult with_env(const std::string& env, const std::string& args)
  {
    return run_shell("env -u LASTGOOD_CATALOG -u XDG_DATA_HOME " + env + " " +
                     shell_quote(testing::lastgood_binary()) + " " + args);
  }
  TempDir m_home;
};

TEST_F(CatalogLocation, AWrongFlagPathIsExitTwoNamingItAndNothingIsCreated)
{
  const auto wrong = (m_home.path() / "wrong" / "dir" / "cat.db").string();
  for (const std::string command :
       {"backups", "verify --due", "report", "pick --database shop", "history"}) {
    auto r = run_lastgood("--catalog " + shell_quote(wrong) + " " + command);
    EXPECT_EQ(r.exit_code, 2) << command << ": " << r.out << r.err;
    EXPECT_CONTAINS(r.err, "no catalog at " + wrong);
    EXPECT_CONTAINS(r.err, "flag --catalog");
    EXPECT_CONTAINS(r.err, "lastgood catalog init");
    EXPECT_EQ(r.out.find("0 backups"), std::string::npos) << r.out;
  }
  EXPECT_FALSE(fs::exists(m_home.path() / "wrong"));
}

TEST_F(CatalogLocation, EnvAndDefaultLocationsAreNamedToo)
{
  const auto from_env = (m_home.path() / "env.db").string();
  auto env = with_env("LASTGOOD_CATALOG=" + shell_quote(from_env), "backups");
  EXPECT_EQ(env.exit_code, 2) << env.err;
  EXPECT_CONTAINS(env.err, "no catalog at " + from_env + " (path from env LASTGOOD_CATALOG)");
  EXPECT_FALSE(fs::exists(from_env));

  const auto xdg = m_home.path() / "xdg";
  auto by_default = with_env("XDG_DATA_HOME=" + shell_quote(xdg.string()), "backups");
  EXPECT_EQ(by_default.exit_code, 2) << by_default.err;
  EXPECT_CONTAINS(by_default.err, "no catalog at " + (xdg / "lastgood" / "catalog.db").string() +
                                      " (path from default $XDG_DATA_HOME/lastgood/catalog.db)");
  EXPECT_FALSE(fs::exists(xdg));

  auto home = with_env("HOME=" + shell_quote(m_home.path().string()), "wal");
  EXPECT_EQ(home.exit_code, 2) << home.err;
  EXPECT_CONTAINS(home.err, (m_home.path() / ".local/share/lastgood/catalog.db").string());
  EXPECT_CONTAINS(home.err, "default ~/.local/share/lastgood/catalog.db");
}

TEST_F(CatalogLocation, SetUpCommandsCreateThePrivateCatalog)
{
  LASTGOOD_SQLITE_FILE_ONLY();
  const auto by_init = m_home.path() / "a" / "cat.db";
  auto init = run_lastgood("--catalog " + shell_quote(by_init.string()) + " catalog init");
  ASSERT_EQ(init.exit_code, 0) << init.err;
  EXPECT_CONTAINS(init.err, "created catalog at " + by_init.string());
  struct stat st
  {
  };
  ASSERT_EQ(::stat(by_init.c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0600u);
  auto again = run_lastgood("--catalog " + shell_quote(by_init.string()) + " catalog init");
  EXPECT_EQ(again.exit_code, 0);
  EXPECT_CONTAINS(again.err, "catalog already at " + by_init.string());
  EXPECT_EQ(run_lastgood("--catalog " + shell_quote(by_init.string()) + " backups").exit_code, 0);

  const auto by_repo_add = m_home.path() / "b.db";
  auto add = run_lastgood("--catalog " + shell_quote(by_repo_add.string()) + " repo add r " +
                          shell_quote(m_home.path().string()));
  EXPECT_EQ(add.exit_code, 0) << add.err;
  EXPECT_TRUE(fs::exists(by_repo_add));
}

// A catalog this user can read but not write: chmod 0400 and, as root, owned by the
// unprivileged user the commands run as (root could write it anyway).
class ReadOnlyCatalog : public CatalogLocation
{
protected:
  void SetUp() override
  {
    CatalogLocation::SetUp();
    if (IsSkipped()) return;
    fs::permissions(m_home.path(), fs::perms::owner_all | fs::perms::group_read |
                                       fs::perms::group_exec | fs::perms::others_read |
                                       fs::perms::others_exec);
    fs::create_directories(m_home.path() / "repo/dumps");
    fs::copy_file(testing::artifacts_dir() / "repo/dumps/shop.dump",
                  m_home.path() / "repo/dumps/shop.dump");
    fs::permissions(m_home.path() / "repo", fs::perms::all, fs::perm_options::add);
    fs::permissions(m_home.path() / "repo/dumps", fs::perms::all, fs::perm_options::add);
    fs::permissions(m_home.path() / "repo/dumps/shop.dump", fs::perms::all, fs::perm_options::add);
  }
  std::string catalog_path() const { return (m_home.path() / "cat.db").string(); }
  testing::CommandResult lastgood(const std::string& args, bool unprivileged = false)
  {
    return run_lastgood("--catalog " + shell_quote(catalog_path()) + " " + args, unprivileged);
  }
  void make_read_only()
  {
    if (::geteuid() == 0) {
      ASSERT_EQ(::chown(catalog_path().c_str(), 65534, 65534), 0);
    }
    fs::permissions(catalog_path(), fs::perms::owner_read);
  }
};

TEST_F(ReadOnlyCatalog, ReadCommandsWorkAndScanFailsNamingThePath)
{
  LASTGOOD_SQLITE_FILE_ONLY();
  ASSERT_EQ(lastgood("repo add r " + shell_quote((m_home.path() / "repo").string())).exit_code, 0);
  ASSERT_EQ(lastgood("scan").exit_code, 0);
  auto listed = lastgood("backups --json");
  ASSERT_EQ(listed.exit_code, 0) << listed.err;
  const auto id = json::parse(listed.out)["backups"][0]["id"].get<std::string>();
  make_read_only();
  const auto before = Sha256::of(testing::read_file(catalog_path()));

  auto backups = lastgood("backups --json", true);
  ASSERT_EQ(backups.exit_code, 0) << backups.err;
  EXPECT_EQ(json::parse(backups.out)["backups"].size(), 1u);
  auto show = lastgood("show " + id + " --json", true);
  EXPECT_EQ(show.exit_code, 0) << show.err;
  EXPECT_EQ(json::parse(show.out)["id"], id);
  EXPECT_EQ(lastgood("history --json", true).exit_code, 0);
  auto report = lastgood("report --json", true);
  EXPECT_EQ(report.exit_code, 3) << "unverified: not compliant, but the report ran: " << report.err;
  EXPECT_FALSE(json::parse(report.out).empty());
  auto pick = lastgood("pick --database shop", true);
  EXPECT_EQ(pick.exit_code, 3) << "nothing verified yet: " << pick.err;

  auto scan = lastgood("scan", true);
  EXPECT_EQ(scan.exit_code, 1) << scan.out << scan.err;
  EXPECT_CONTAINS(scan.err, catalog_path());
  EXPECT_CONTAINS(scan.err, "may read the catalog but not write it");
  EXPECT_EQ(Sha256::of(testing::read_file(catalog_path())), before)
      << "the read-only catalog was changed";
}

TEST_F(ReadOnlyCatalog, OneThatNeedsMigratingSaysSo)
{
  {
    catalog::Database db(catalog_path(), true);
    catalog::migrate(db, 1);
  }
  make_read_only();
  auto r = lastgood("backups", true);
  EXPECT_EQ(r.exit_code, 1) << r.out << r.err;
  EXPECT_CONTAINS(r.err, "catalog " + catalog_path() + " has schema version 1 and needs migrating");
}

} // namespace
} // namespace lastgood
