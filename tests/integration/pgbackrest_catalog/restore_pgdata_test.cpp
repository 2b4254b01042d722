// `plan` and `restore --pgdata --target-time --start` from a pgBackRest
// backup and its archive (tests/fixtures/make-pgbackrest-repos), proven by
// the data: what was committed before the target is there, what came after
// is not.

#include "tests/integration/pgbackrest/repos.hpp"
#include "tests/support/run_command.hpp"
#include "tests/support/temp_dir.hpp"

#include <ctime>
#include <filesystem>
#include <fstream>
#include <gtest/gtest.h>
#include <iomanip>
#include <nlohmann/json.hpp>
#include <sstream>
#include <unistd.h>
#include <vector>

namespace lastgood {
namespace {

namespace fs = std::filesystem;
using nlohmann::json;
using testing::shell_quote;

class PgbackrestRestorePgdata : public ::testing::Test
{
protected:
  void SetUp() override
  {
    testing::pgbackrest_fixture_dir(); // fails without the fixture
    // The server runs as postgres when we are root: it must reach DIR.
    fs::permissions(m_home.path(),
                    fs::perms::owner_all | fs::perms::group_exec | fs::perms::others_exec);
  }
  void TearDown() override
  {
    if (!m_stop.empty() && fs::exists(pgdata() / "postmaster.pid")) testing::run_shell(m_stop);
  }
  testing::CommandResult lastgood(const std::string& args)
  {
    return testing::run_lastgood("--catalog " +
                                 shell_quote((m_home.path() / "catalog.db").string()) + " " + args);
  }
  fs::path pgdata() const { return m_home.path() / "pgdata"; }
  std::string psql(const std::string& sql)
  {
    auto r = testing::run_shell(m_connect + " -X -At -c " + shell_quote(sql));
    EXPECT_EQ(r.exit_code, 0) << m_connect << "\n" << r.err;
    return r.out;
  }

  testing::TempDir m_home;
  std::string m_connect, m_stop;
};

// "2026-11-26T08:12:29Z" plus one second: the planner wants a base backup
// that ends before the target's second.
std::string second_after(const std::string& rfc3339)
{
  std::tm tm{};
  std::istringstream in(rfc3339);
  in >> std::get_time(&tm, "%Y-%m-%dT%H:%M:%SZ");
  EXPECT_FALSE(in.fail()) << rfc3339;
  const std::time_t next = ::timegm(&tm) + 1;
  std::tm out{};
  ::gmtime_r(&next, &out);
  char text[32];
  std::strftime(text, sizeof text, "%Y-%m-%dT%H:%M:%SZ", &out);
  return text;
}

// The diff's stop time plus a second: between after_full (created before the
// diff began) and after_diff (created after two more backups).
std::string target_after_diff(const json& backups, const std::string& diff_label)
{
  for (const auto& b : backups["backups"])
    if (b["label"] == diff_label) return second_after(b["stop_time"]);
  ADD_FAILURE() << "no backup " << diff_label;
  return "";
}

// The line after "  <label>" in restore's human output.
std::string line_after(const std::string& out, const std::string& label)
{
  const auto at = out.find("\n  " + label);
  if (at == std::string::npos) return "";
  const auto start = out.find_first_not_of(' ', at + 3 + label.size());
  return out.substr(start, out.find('\n', start) - start);
}

TEST_F(PgbackrestRestorePgdata, PitrFromADiffBackupReachesExactlyTheRowsBeforeTheTarget)
{
  const auto& expected = testing::pgbackrest_expected();
  const auto plain = testing::pgbackrest_labels("plain"); // full, diff, incr
  ASSERT_EQ(lastgood("repo add plain " + shell_quote(testing::pgbackrest_repo("plain"))).exit_code,
            0);
  ASSERT_EQ(lastgood("scan -q").exit_code, 0);
  // The fixture: after the full backups, 500 notes end in "-2" and after_full
  // is created; after the diff and two more incrs (other repositories), rows
  // end in "-3" and after_diff appears.
  const auto target = target_after_diff(json::parse(lastgood("backups --json").out), plain[1]);
  ASSERT_FALSE(target.empty());

  auto plan = lastgood("plan --json --target-time " + target);
  ASSERT_EQ(plan.exit_code, 0) << plan.out << plan.err;
  auto planned = json::parse(plan.out);
  EXPECT_EQ(planned["reachable"], true) << planned.dump(2);
  EXPECT_EQ(planned["system_identifier"], expected["system_identifier"]) << planned.dump(2);
  EXPECT_NE(planned.dump().find(plain[1]), std::string::npos)
      << "the diff is the newest base backup before the target: " << planned.dump(2);

  auto r = lastgood("restore --start --pgdata " + shell_quote(pgdata().string()) +
                    " --target-time " + target);
  m_stop = line_after(r.out, "stop");
  m_connect = line_after(r.out, "connect");
  ASSERT_EQ(r.exit_code, 0) << r.out << r.err;
  EXPECT_NE(r.out.find("before commit"), std::string::npos) << r.out;
  ASSERT_NE(m_connect.find("psql"), std::string::npos) << r.out;
  EXPECT_EQ(psql("SELECT pg_is_in_recovery()"), "t\n") << "paused at the target";
  EXPECT_EQ(psql("SELECT count(*) FROM notes"), "2000\n");
  EXPECT_EQ(psql("SELECT count(*) FROM notes WHERE body LIKE '%-2'"), "500\n");
  EXPECT_EQ(psql("SELECT to_regclass('after_full') IS NOT NULL"), "t\n");
  EXPECT_EQ(psql("SELECT count(*) FROM notes WHERE body LIKE '%-3'"), "0\n");
  EXPECT_EQ(psql("SELECT to_regclass('after_diff') IS NULL"), "t\n");
}

// The same target as a PITR drill: a private cluster recovered to it, checked
// and thrown away; the row counts show where it stopped.
TEST_F(PgbackrestRestorePgdata, PitrDrillOfADiffBackupStopsAtTheTarget)
{
  const auto plain = testing::pgbackrest_labels("plain");
  ASSERT_EQ(lastgood("repo add plain " + shell_quote(testing::pgbackrest_repo("plain"))).exit_code,
            0);
  ASSERT_EQ(lastgood("scan -q").exit_code, 0);
  const auto listed = json::parse(lastgood("backups --json").out);
  const auto target = target_after_diff(listed, plain[1]);
  std::string diff;
  for (const auto& b : listed["backups"])
    if (b["label"] == plain[1]) diff = b["id"];
  auto r = lastgood("verify " + diff + " --level pitr --target-time " + target + " --json");
  ASSERT_EQ(r.exit_code, 0) << r.out << r.err;
  const auto run = json::parse(r.out)["runs"][0];
  EXPECT_EQ(run["level"], "pitr") << run.dump(2);
  EXPECT_EQ(run["outcome"], "pass") << run.dump(2);
  EXPECT_NE(run["recovery_point"].value("stop", "").find("recovery stopping before commit"),
            std::string::npos)
      << run.dump(2);
  auto has_table = [&](const std::string& table) {
    for (const auto& c : run["row_counts"])
      if (c["schema"] == "postgres.public" && c["table"] == table) return true;
    return false;
  };
  EXPECT_TRUE(has_table("after_full")) << run.dump(2);
  EXPECT_FALSE(has_table("after_diff")) << run.dump(2);
}

// Every file under `dir` (recursively) that holds `secret`.
std::vector<std::string> files_holding(const fs::path& dir, const std::string& secret)
{
  std::vector<std::string> found;
  std::error_code ec;
  for (auto it = fs::recursive_directory_iterator(dir, ec); !ec && it != fs::end(it);
       it.increment(ec)) {
    if (!it->is_regular_file()) continue;
    std::ifstream in(it->path(), std::ios::binary);
    const std::string bytes((std::istreambuf_iterator<char>(in)), {});
    if (bytes.find(secret) != std::string::npos) found.push_back(it->path().string());
  }
  return found;
}

// An encrypted repository restored with --pgdata and started: the passphrase
// comes from a cipher_pass_file only root can read; the server's wal-fetch
// gets it through the environment lastgood starts the server with, never from
// a command line or a file in the data directory.
TEST_F(PgbackrestRestorePgdata, EncryptedRepositoryRestoresWithItsPassphraseInNoFile)
{
  const std::string passphrase = testing::pgbackrest_passphrase();
  const auto labels = testing::pgbackrest_labels("enc"); // full, incr
  const fs::path pass_file = m_home.path() / "enc.pass";
  std::ofstream(pass_file) << passphrase << "\n";
  fs::permissions(pass_file, fs::perms::owner_read | fs::perms::owner_write,
                  fs::perm_options::replace);
  const fs::path config = m_home.path() / "config.toml";
  std::ofstream(config) << "[[repository]]\nname = \"enc\"\nurl = "
                        << json(testing::pgbackrest_repo("enc").string()).dump()
                        << "\ncipher_pass_file = " << json(pass_file.string()).dump() << "\n";
  const std::string with_config = "--config " + shell_quote(config.string()) + " ";
  ASSERT_EQ(lastgood(with_config + "repo add enc " +
                     shell_quote(testing::pgbackrest_repo("enc").string()))
                .exit_code,
            0);
  ASSERT_EQ(lastgood(with_config + "scan -q").exit_code, 0);
  // Inside the archive, at the start of the (1 MB) segment after the
  // incremental's end: recovery reads decrypted WAL through wal-fetch.
  // after_full exists, after_diff not.
  const std::string stop =
      testing::pgbackrest_expected()["repos"]["enc"]["backups"][labels.back()]["lsn_stop"];
  const auto slash = stop.find('/');
  ASSERT_NE(slash, std::string::npos) << stop;
  const std::uint64_t stop_low = std::stoull(stop.substr(slash + 1), nullptr, 16);
  std::ostringstream next_segment;
  next_segment << stop.substr(0, slash) << '/' << std::uppercase << std::hex
               << ((stop_low >> 20) + 1) * 0x100000;
  const std::string target = next_segment.str();
  auto plan = lastgood(with_config + "plan --json --target-lsn " + target);
  ASSERT_EQ(plan.exit_code, 0) << plan.out << plan.err;
  EXPECT_NE(plan.out.find(labels.back()), std::string::npos) << plan.out;
  // A time target: the planner reads the commit records of the decrypted WAL.
  std::string stop_time;
  for (const auto& b : json::parse(lastgood("backups --json").out)["backups"].get<json::array_t>())
    if (b["label"] == labels.back()) stop_time = b["stop_time"];
  auto timed = lastgood(with_config + "plan --json --target-time " + second_after(stop_time));
  ASSERT_EQ(timed.exit_code, 0) << timed.out << timed.err;
  EXPECT_EQ(timed.out.find("commit records could not be read"), std::string::npos) << timed.out;
  EXPECT_NE(timed.out.find("exact segment: pg_waldump commit records"), std::string::npos)
      << timed.out;

  auto r = lastgood(with_config + "restore --start --pgdata " + shell_quote(pgdata().string()) +
                    " --target-lsn " + target);
  m_stop = line_after(r.out, "stop");
  m_connect = line_after(r.out, "connect");
  ASSERT_EQ(r.exit_code, 0) << r.out << r.err;
  ASSERT_NE(m_connect.find("psql"), std::string::npos) << r.out;
  EXPECT_EQ(psql("SELECT to_regclass('after_full') IS NOT NULL"), "t\n");
  EXPECT_EQ(psql("SELECT to_regclass('after_diff') IS NULL"), "t\n");
  for (const auto& out : {plan.out + plan.err, timed.out + timed.err, r.out + r.err})
    EXPECT_EQ(out.find(passphrase), std::string::npos) << out;
  // postgresql.auto.conf (restore_command), the server's log, the catalog copy.
  EXPECT_EQ(files_holding(pgdata(), passphrase), std::vector<std::string>{});
  EXPECT_EQ(files_holding(pgdata().string() + ".wal-fetch", passphrase),
            std::vector<std::string>{});
  std::ifstream db(m_home.path() / "catalog.db", std::ios::binary);
  const std::string bytes((std::istreambuf_iterator<char>(db)), {});
  EXPECT_EQ(bytes.find(passphrase), std::string::npos) << "the passphrase is in the catalog";
}

TEST_F(PgbackrestRestorePgdata, DamagedFileLeavesNothingBehind)
{
  const auto plain = testing::pgbackrest_labels("plain");
  const fs::path repo = m_home.path() / "repo";
  testing::copy_pgbackrest_repo("plain", repo);
  testing::flip_byte(repo / "backup" / testing::pgbackrest_expected()["stanza"].get<std::string>() /
                         plain.front() / "pg_data/base/5/1255",
                     9000);
  ASSERT_EQ(lastgood("repo add plain " + shell_quote(repo)).exit_code, 0);
  ASSERT_EQ(lastgood("scan -q").exit_code, 0);
  // The diff is restored; the damaged file is its full's, which it references.
  const auto target = target_after_diff(json::parse(lastgood("backups --json").out), plain[1]);
  auto r = lastgood("restore --json --pgdata " + shell_quote(pgdata().string()) +
                    " --target-time " + target);
  EXPECT_EQ(r.exit_code, 3) << r.out << r.err;
  auto doc = json::parse(r.out);
  EXPECT_EQ(doc["outcome"], "fail") << doc.dump(2);
  EXPECT_NE(doc["message"].get<std::string>().find("pg_data/base/5/1255"), std::string::npos)
      << doc.dump(2);
  EXPECT_FALSE(fs::exists(pgdata())) << "a half-written data directory was left behind";
}

} // namespace
} // namespace lastgood
