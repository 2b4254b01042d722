// Issue 13, the first hour of a new user, through the real binary: every flag value is
// checked before any work (exit 2, naming the flag), the same thing has the same spellings
// in every command (aliases beside the documented flags), hints name the flag the user gave,
// `repo add` refuses a repository it cannot read, and `show` summarises a large backup.

#include "tests/support/run_command.hpp"
#include "tests/support/temp_dir.hpp"

#include <filesystem>
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>
#include <string>
#include <unistd.h>

namespace lastgood {
namespace {

namespace fs = std::filesystem;
using nlohmann::json;
using testing::run_lastgood;
using testing::shell_quote;
using testing::TempDir;

bool contains(const std::string& text, const std::string& part)
{
  return text.find(part) != std::string::npos;
}

struct BadValue
{
  std::string args, flag, message;
};

TEST(CliFlags, BadFlagValuesAreUsageErrorsNamingTheFlagBeforeAnyWork)
{
  TempDir home;
  // No catalog exists: a value error must come before the catalog is even looked for.
  const std::string catalog = "--catalog " + shell_quote((home.path() / "none.db").string()) + " ";
  const BadValue bad[] = {
      {"plan --target-time 2026-11-22T02:00:00+25:00", "--target-time",
       "between -23:59 and +23:59"},
      {"restore --pgdata /tmp/lg-x --target-time 2026-11-22T02:00:00+25:00", "--target-time",
       "between -23:59 and +23:59"},
      {"restore --pgdata /tmp/lg-x --target-time yesterday", "--target-time", "invalid time"},
      {"plan --target-lsn 12345", "--target-lsn", "invalid LSN"},
      {"restore --pgdata /tmp/lg-x --target-lsn 0/XYZ", "--target-lsn", "invalid LSN"},
      {"plan --target latest --timeline 0", "--timeline", "invalid timeline"},
      {"restore --pgdata /tmp/lg-x --target latest --timeline two", "--timeline",
       "invalid timeline"},
      {"plan --target latest --cluster abc", "--cluster", "invalid system identifier"},
      {"backups --cluster 12x", "--cluster", "invalid system identifier"},
      {"verify --budget 5parsecs", "--budget", "invalid duration"},
      {"run --budget 3", "--budget", "invalid duration"},
      {"report --period week", "--period", "invalid duration"},
      {"report --as-of 2026-13-01", "--as-of", "invalid time"},
      {"pick --before tomorrow", "--before", "invalid time"},
      {"hold add 2026 --until soon --reason r", "--until", "invalid time"},
      {"show 'x;rm -rf'", "ID", "invalid backup ID"},
      {"plan --target latest --backup 'a b'", "--backup", "invalid backup ID"},
      {"restore --pgdata /tmp/lg-x --target soon", "--target", "soon"},
  };
  for (const auto& b : bad) {
    SCOPED_TRACE("lastgood " + b.args);
    const auto r = run_lastgood(catalog + b.args);
    EXPECT_EQ(r.exit_code, 2) << r.err;
    EXPECT_TRUE(contains(r.err, b.flag)) << r.err;
    EXPECT_TRUE(contains(r.err, b.message)) << r.err;
    EXPECT_EQ(r.out, "");
  }
  EXPECT_FALSE(fs::exists(home.path() / "none.db"));
  EXPECT_FALSE(fs::exists("/tmp/lg-x"));
}

TEST(CliFlags, GoodValuesPassTheChecks)
{
  TempDir home;
  const std::string catalog = "--catalog " + shell_quote((home.path() / "c.db").string()) + " ";
  ASSERT_EQ(run_lastgood(catalog + "catalog init").exit_code, 0);
  for (const std::string args :
       {"plan --target-time 2026-11-22T03:00:00.25+01:00 --timeline 2 --cluster 7318522519461",
        "plan --target-lsn 16/B374D848 --timeline latest", "plan --target immediate",
        "pick --before 2026-11-22 --cluster 1", "backups --cluster 7318522519461640000"}) {
    SCOPED_TRACE(args);
    const auto r = run_lastgood(catalog + args);
    EXPECT_NE(r.exit_code, 2) << r.err;
    EXPECT_FALSE(contains(r.err, "invalid")) << r.err;
  }
}

TEST(CliFlags, PhysicalRestoreTakesTargetAsPlanDoes)
{
  const auto both = run_lastgood(
      "restore --pgdata /tmp/lg-x --target immediate --target-time 2026-11-22T02:00:00Z");
  EXPECT_EQ(both.exit_code, 2) << both.err;
  EXPECT_TRUE(contains(both.err, "give one of --target-time, --target-lsn, --target")) << both.err;
  const auto twice = run_lastgood("restore --pgdata /tmp/lg-x --target latest --immediate");
  EXPECT_EQ(twice.exit_code, 2) << twice.err;
  // A logical restore has no recovery target: refused rather than silently ignored.
  const auto logical = run_lastgood("restore 2026 --to 'host=/nonexistent' --target latest");
  EXPECT_EQ(logical.exit_code, 2) << logical.err;
  EXPECT_TRUE(contains(logical.err, "for physical restores (--pgdata)")) << logical.err;
}

TEST(CliFlags, TwoSpellingsOfOneFlagAtOnceAreRefused)
{
  for (const std::string args :
       {"restore 2026 --to 'host=a' --dbname 'host=b'", "verify --scratch auto --to 'host=b'",
        "drill --dbname x --to y"}) {
    SCOPED_TRACE(args);
    const auto r = run_lastgood(args);
    EXPECT_EQ(r.exit_code, 2) << r.err;
    EXPECT_TRUE(contains(r.err, "excludes")) << r.err;
  }
}

TEST(CliFlags, RepoAddRefusesAPathItCannotReadUnlessNoCheck)
{
  TempDir home;
  fs::permissions(home.path(), fs::perms::all); // the unprivileged run writes its catalog here
  const std::string catalog = "--catalog " + shell_quote((home.path() / "c.db").string()) + " ";
  const auto missing = home.path() / "not-there";

  const auto refused = run_lastgood(catalog + "repo add nightly " + shell_quote(missing.string()));
  EXPECT_EQ(refused.exit_code, 2) << refused.err;
  EXPECT_TRUE(contains(refused.err, missing.string() + " does not exist")) << refused.err;
  EXPECT_TRUE(contains(refused.err, "mkdir -p")) << refused.err;
  EXPECT_TRUE(contains(refused.err, "--no-check")) << refused.err;

  home.write("a-file", "x");
  const auto file = run_lastgood(catalog + "repo add f " +
                                 shell_quote("file://" + (home.path() / "a-file").string()));
  EXPECT_EQ(file.exit_code, 2) << file.err;
  EXPECT_TRUE(contains(file.err, "is not a directory")) << file.err;

  fs::create_directory(home.path() / "locked");
  fs::permissions(home.path() / "locked", fs::perms::owner_all);
  if (::geteuid() != 0) fs::permissions(home.path() / "locked", fs::perms::none);
  const auto locked = run_lastgood(
      catalog + "repo add locked " + shell_quote((home.path() / "locked").string()), true);
  fs::permissions(home.path() / "locked", fs::perms::owner_all);
  EXPECT_EQ(locked.exit_code, 2) << locked.err;
  EXPECT_TRUE(contains(locked.err, "is not readable by this user")) << locked.err;

  const auto listed = run_lastgood(catalog + "repo list");
  EXPECT_FALSE(contains(listed.out, "nightly")) << listed.out;

  const auto anyway =
      run_lastgood(catalog + "repo add nightly --no-check " + shell_quote(missing.string()));
  EXPECT_EQ(anyway.exit_code, 0) << anyway.err;
  EXPECT_TRUE(contains(run_lastgood(catalog + "repo list").out, "nightly"));

  fs::create_directory(home.path() / "fine");
  EXPECT_EQ(run_lastgood(catalog + "repo add fine " + shell_quote((home.path() / "fine").string()))
                .exit_code,
            0);
}

TEST(CliFlags, RepoAddRefusesAnS3BucketThatDoesNotAnswer)
{
  TempDir home;
  const std::string catalog = "--catalog " + shell_quote((home.path() / "c.db").string()) + " ";
  const std::string env = "AWS_ACCESS_KEY_ID=k AWS_SECRET_ACCESS_KEY=s ";
  const std::string url = "s3://nowhere/backups?region=us-east-1&endpoint=http://127.0.0.1:1";
  const auto r = testing::run_shell(env + testing::lastgood_binary() + " " + catalog +
                                    "repo add cloud " + shell_quote(url));
  EXPECT_EQ(r.exit_code, 1) << r.err;
  EXPECT_TRUE(contains(r.err, "did not answer a list request")) << r.err;
  EXPECT_TRUE(contains(r.err, "--no-check")) << r.err;
  const auto anyway = testing::run_shell(env + testing::lastgood_binary() + " " + catalog +
                                         "repo add cloud --no-check " + shell_quote(url));
  EXPECT_EQ(anyway.exit_code, 0) << anyway.err;
}

// Against the real fixture: its dumps and its plain base backup (one object per data file).
class CliFlagsOnArtifacts : public ::testing::Test
{
protected:
  void SetUp() override
  {
    if (testing::artifacts_dir().empty())
      GTEST_SKIP() << "LASTGOOD_ARTIFACTS not set (run through ctest)";
    ASSERT_EQ(lastgood("repo add arch " + shell_quote((testing::artifacts_dir() / "repo").string()))
                  .exit_code,
              0);
    ASSERT_EQ(lastgood("scan -q").exit_code, 0);
  }
  testing::CommandResult lastgood(const std::string& args)
  {
    return run_lastgood("--catalog " + shell_quote((m_home.path() / "catalog.db").string()) + " " +
                        args);
  }
  // The ID of the backup whose root key contains `part`.
  std::string backup_with(const std::string& part)
  {
    const auto listed = lastgood("backups --json");
    const auto doc = json::parse(listed.out);
    for (const auto& b : doc["backups"])
      if (contains(b["location"].get<std::string>(), part)) return b["id"];
    ADD_FAILURE() << "no backup at " << part << ": " << listed.out;
    return "";
  }
  TempDir m_home;
};

// Nothing listens on port 1: the connection fails at once.
constexpr const char* kNoServer = "'host=127.0.0.1 port=1 dbname=postgres connect_timeout=5'";

TEST_F(CliFlagsOnArtifacts, LogicalRestoreTakesDbnameAndBackupAndItsHintNamesTheFlagGiven)
{
  const auto id = backup_with("dumps/shop.dump");
  ASSERT_FALSE(id.empty());
  for (const std::string flag : {"--to", "--dbname"}) {
    SCOPED_TRACE(flag);
    const auto r = lastgood("restore " + id + " " + flag + " " + kNoServer + " --dry-run");
    EXPECT_EQ(r.exit_code, 1) << r.out << r.err;
    EXPECT_TRUE(contains(r.out, "would not run: could not connect")) << r.out;
    EXPECT_TRUE(contains(r.out, "; check " + flag + " and that the server is running")) << r.out;
    EXPECT_FALSE(contains(r.out, "--scratch")) << r.out;
  }
  const auto by_flag = lastgood("restore --backup " + id + " --to " + kNoServer + " --dry-run");
  EXPECT_EQ(by_flag.exit_code, 1) << by_flag.err;
  EXPECT_TRUE(contains(by_flag.out, "  backup     " + id)) << by_flag.out;
  const auto twice = lastgood("restore 2026 --backup " + id + " --to " + kNoServer);
  EXPECT_EQ(twice.exit_code, 2) << twice.err;
  EXPECT_TRUE(contains(twice.err, "give the backup once")) << twice.err;
}

TEST_F(CliFlagsOnArtifacts, VerifyTakesToForScratchAndItsHintNamesIt)
{
  const auto id = backup_with("dumps/shop.dump");
  ASSERT_FALSE(id.empty());
  const auto r = lastgood("verify --backup " + id + " --level restore --to " + kNoServer);
  EXPECT_NE(r.exit_code, 0) << r.out << r.err;
  EXPECT_TRUE(contains(r.out + r.err, "; check --to and that the server is running"))
      << r.out << r.err;
  EXPECT_FALSE(contains(r.out + r.err, "check --scratch")) << r.out << r.err;
}

TEST_F(CliFlagsOnArtifacts, ShowSummarisesALargeBackupAndListsItWithObjects)
{
  const auto id = backup_with("base/plain-1");
  ASSERT_FALSE(id.empty());
  const auto doc = json::parse(lastgood("show " + id + " --json").out);
  const auto objects = doc["objects"].size();
  ASSERT_GT(objects, 500u) << "a plain base backup: one object per data file";

  const auto summary = lastgood("show " + id);
  ASSERT_EQ(summary.exit_code, 0) << summary.err;
  EXPECT_LT(std::count(summary.out.begin(), summary.out.end(), '\n'), 60) << summary.out;
  EXPECT_TRUE(contains(summary.out, "objects: " + std::to_string(objects) + ", ")) << summary.out;
  EXPECT_TRUE(contains(summary.out, "lastgood show " + id + " --objects")) << summary.out;
  EXPECT_TRUE(contains(summary.out, "ROLE")) << summary.out;
  EXPECT_TRUE(contains(summary.out, "backup_label")) << summary.out;
  EXPECT_TRUE(contains(summary.out, "WAL carried: ")) << summary.out;

  const auto full = lastgood("show " + id + " --objects");
  ASSERT_EQ(full.exit_code, 0) << full.err;
  EXPECT_GT(static_cast<std::size_t>(std::count(full.out.begin(), full.out.end(), '\n')), objects);

  EXPECT_EQ(lastgood("show --backup " + id).out, summary.out);
  const auto neither = lastgood("show");
  EXPECT_EQ(neither.exit_code, 2) << neither.err;
  EXPECT_TRUE(contains(neither.err, "give its ID or --backup ID")) << neither.err;
}

} // namespace
} // namespace lastgood
