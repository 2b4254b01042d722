// `verify` on the real Barman repository of tests/fixtures/make-barman-repo:
// every level passes on the backups as Barman wrote them (a test restore
// recovers each one with WAL that wal-fetch serves from Barman's gzip'd
// wals/), and the damage cases of docs/barman.md end as they must: a
// flipped byte and a missing WAL segment are bad (exit 3), an unreadable
// file is an error (exit 1).

#include "tests/integration/barman_catalog/barman_fixture.hpp"

#include <algorithm>

namespace lastgood {
namespace {

namespace fs = std::filesystem;
using nlohmann::json;
using testing::shell_quote;

void flip_byte(const fs::path& file, std::streamoff offset)
{
  std::fstream f(file, std::ios::in | std::ios::out | std::ios::binary);
  ASSERT_TRUE(f) << file;
  f.seekg(offset);
  char c = 0;
  f.get(c);
  f.seekp(offset);
  f.put(static_cast<char>(c ^ 0x5a));
}

bool has_finding(const json& run, const std::string& kind, const std::string& subject_part)
{
  return std::any_of(run["findings"].begin(), run["findings"].end(), [&](const json& f) {
    return f["kind"] == kind &&
           f["subject"].get<std::string>().find(subject_part) != std::string::npos;
  });
}

class BarmanVerify : public testing::BarmanCliTest
{
protected:
  // A copy of the barman home that every user may read: the scratch cluster
  // runs as the postgres OS user when the tests run as root, and its
  // restore_command (wal-fetch) reads wals/ as that user.
  void copy_home()
  {
    fs::permissions(m_home.path(), fs::perms::all);
    m_copy = m_home.path() / "barman";
    auto r = testing::run_shell("cp -a " + shell_quote(testing::barman_home().string()) + " " +
                                shell_quote(m_copy.string()) + " && chmod -R a+rwX " +
                                shell_quote(m_copy.string()));
    ASSERT_EQ(r.exit_code, 0) << r.err;
  }
  void add_and_scan(const std::string& server)
  {
    auto add = lastgood("repo add " + server + " " + shell_quote((m_copy / server).string()));
    ASSERT_EQ(add.exit_code, 0) << add.err;
    auto scan = lastgood("scan -q");
    ASSERT_EQ(scan.exit_code, 0) << scan.out << scan.err;
  }
  json verify(const std::string& id, const std::string& level, int exit_code)
  {
    auto runs = json_of("verify " + id + " --level " + level + " --json", exit_code)["runs"];
    EXPECT_EQ(runs.size(), 1u) << runs.dump(2);
    return runs.empty() ? json() : runs[0];
  }
  fs::path m_copy;
};

TEST_F(BarmanVerify, EveryBackupPassesEveryLevelAndRestores)
{
  copy_home();
  add_and_scan("plain");
  add_and_scan("tar");
  for (const std::string& label :
       {m_expected["PLAIN1"], m_expected["PLAIN2"], m_expected["TAR1"]}) {
    SCOPED_TRACE(label);
    const std::string id = backup_labelled(label)["id"];
    auto checksum = verify(id, "checksum", 0);
    EXPECT_EQ(checksum["outcome"], "pass") << checksum.dump(2);
    EXPECT_TRUE(checksum["findings"].empty()) << "backup_manifest is there: no warning\n"
                                              << checksum.dump(2);
    EXPECT_EQ(verify(id, "structure", 0)["outcome"], "pass");
    auto restore = verify(id, "restore", 0);
    EXPECT_EQ(restore["outcome"], "pass") << restore.dump(2);
    // The data is there, the table in the tablespace too (5000 rows of `moved`).
    std::map<std::string, std::int64_t> rows;
    for (const auto& c : restore["row_counts"])
      rows[c["schema"].get<std::string>() + "." + c["table"].get<std::string>()] =
          c["rows"].get<std::int64_t>();
    EXPECT_EQ(rows["postgres.public.moved"], 5000) << restore.dump(2);
    EXPECT_EQ(rows["postgres.public.items"], label == m_expected["PLAIN1"] ? 20000 : 30000)
        << restore.dump(2);
    EXPECT_EQ(backup_labelled(label)["status"], "good");
  }
}

// restore --pgdata takes a Barman backup apart with the same reader: data
// directory, tablespace beside it and linked, WAL left to wal-fetch.
TEST_F(BarmanVerify, RestorePgdataMaterialisesABarmanBackup)
{
  copy_home();
  add_and_scan("plain");
  auto info = testing::barman_backup_info(m_copy / "plain", m_expected["PLAIN2"]);
  const fs::path pgdata = m_home.path() / "restored";
  auto r = lastgood("restore --target-lsn " + info["end_xlog"] + " --pgdata " +
                    shell_quote(pgdata.string()) + " --json");
  ASSERT_EQ(r.exit_code, 0) << r.out << r.err;
  auto result = json::parse(r.out);
  EXPECT_EQ(result["outcome"], "pass") << result.dump(2);
  EXPECT_EQ(result["plan"]["backup"]["backup_id"], backup_labelled(m_expected["PLAIN2"])["id"])
      << result.dump(2);
  const fs::path stored = m_copy / "plain" / "base" / m_expected["PLAIN2"] / "data";
  EXPECT_EQ(testing::read_file(pgdata / "PG_VERSION"), testing::read_file(stored / "PG_VERSION"));
  EXPECT_EQ(testing::read_file(pgdata / "backup_label"),
            testing::read_file(stored / "backup_label"));
  EXPECT_TRUE(fs::exists(pgdata / "recovery.signal"));
  const fs::path link = pgdata / "pg_tblspc" / "16391";
  ASSERT_TRUE(fs::is_symlink(link));
  EXPECT_TRUE(fs::is_directory(link)) << fs::read_symlink(link);
  EXPECT_NE(testing::read_file(pgdata / "postgresql.auto.conf").find("wal-fetch"),
            std::string::npos);
}

TEST_F(BarmanVerify, AFlippedByteInADataFileIsBad)
{
  copy_home();
  const fs::path data = m_copy / "plain" / "base" / m_expected["PLAIN1"] / "data";
  // Damaged before lastgood first saw it: only backup_manifest can tell.
  flip_byte(data / "base" / "5" / "1259", 100);
  add_and_scan("plain");
  const std::string id = backup_labelled(m_expected["PLAIN1"])["id"];
  auto run = verify(id, "checksum", 3);
  EXPECT_EQ(run["outcome"], "fail");
  EXPECT_TRUE(has_finding(run, "manifest_mismatch", "data/base/5/1259")) << run.dump(2);

  // Damaged after: the SHA-256 of first sight tells too.
  flip_byte(data / "global" / "pg_control", 20);
  run = verify(id, "checksum", 3);
  EXPECT_TRUE(has_finding(run, "checksum_mismatch", "data/global/pg_control")) << run.dump(2);
  EXPECT_TRUE(has_finding(run, "manifest_mismatch", "data/global/pg_control")) << run.dump(2);
  EXPECT_EQ(backup_labelled(m_expected["PLAIN1"])["status"], "bad");
  // The other backup is untouched.
  EXPECT_EQ(verify(backup_labelled(m_expected["PLAIN2"])["id"], "checksum", 0)["outcome"], "pass");
}

// Barman objects get XXH3-128 at the scan like every other object: the
// checksum level compares it (no SHA-256), --cryptographic recomputes SHA-256,
// and a byte changed after the scan is found by XXH3 naming its byte range.
TEST_F(BarmanVerify, TheChecksumLevelComparesXxh3AndCryptographicRecomputesSha256)
{
  copy_home();
  add_and_scan("tar");
  const std::string id = backup_labelled(m_expected["TAR1"])["id"];
  auto hash_of_last_run = [&] {
    auto runs = json_of("history " + id + " --json")["runs"];
    EXPECT_FALSE(runs.empty());
    std::string newest;
    std::int64_t newest_id = -1;
    for (const auto& r : runs)
      if (r["run"].get<std::int64_t>() > newest_id) {
        newest_id = r["run"].get<std::int64_t>();
        newest = r["checksum_hash"].is_null() ? "" : r["checksum_hash"].get<std::string>();
      }
    return newest;
  };
  EXPECT_EQ(verify(id, "checksum", 0)["outcome"], "pass");
  EXPECT_EQ(hash_of_last_run(), "xxh3-128") << "every Barman object was hashed with XXH3 at scan";
  auto crypto = json_of("verify " + id + " --level checksum --cryptographic --json")["runs"];
  ASSERT_EQ(crypto.size(), 1u);
  EXPECT_EQ(crypto[0]["outcome"], "pass") << crypto.dump(2);
  EXPECT_EQ(hash_of_last_run(), "sha256");

  // base.tar changed after the scan: the routine read finds it by XXH3.
  fs::path tar;
  for (const auto& e :
       fs::directory_iterator(m_copy / "tar" / "base" / m_expected["TAR1"] / "data"))
    if (e.path().filename().string().starts_with("base.tar")) tar = e.path();
  ASSERT_FALSE(tar.empty());
  flip_byte(tar, static_cast<std::streamoff>(fs::file_size(tar) / 2));
  auto run = verify(id, "checksum", 3);
  EXPECT_EQ(run["outcome"], "fail") << run.dump(2);
  bool by_xxh3 = false;
  for (const auto& f : run["findings"])
    by_xxh3 =
        by_xxh3 || (f["kind"] == "checksum_mismatch" &&
                    f["subject"].get<std::string>().find("/data/base.tar") != std::string::npos &&
                    f["message"].get<std::string>().find("XXH3-128") != std::string::npos &&
                    f["message"].get<std::string>().find("in bytes 0-") != std::string::npos);
  EXPECT_TRUE(by_xxh3) << run.dump(2);
  EXPECT_EQ(hash_of_last_run(), "xxh3-128");
  EXPECT_EQ(backup_labelled(m_expected["TAR1"])["status"], "bad");
  // --cryptographic finds it by SHA-256.
  run = json_of("verify " + id + " --level checksum --cryptographic --json", 3)["runs"][0];
  EXPECT_TRUE(has_finding(run, "checksum_mismatch", "/data/base.tar")) << run.dump(2);
  EXPECT_EQ(hash_of_last_run(), "sha256");
}

TEST_F(BarmanVerify, AMissingWalSegmentInsideTheBackupsRangeIsBad)
{
  copy_home();
  add_and_scan("tar");
  auto info = testing::barman_backup_info(m_copy / "tar", m_expected["TAR1"]);
  const std::string segment = info["begin_wal"];
  fs::remove(m_copy / "tar" / "wals" / segment.substr(0, 16) / segment);
  const std::string id = backup_labelled(m_expected["TAR1"])["id"];
  EXPECT_EQ(verify(id, "checksum", 0)["outcome"], "pass") << "the backup's own files are intact";
  auto run = verify(id, "structure", 3);
  EXPECT_EQ(run["outcome"], "fail");
  EXPECT_TRUE(has_finding(run, "missing_wal", segment)) << run.dump(2);
  // A restore level run stops there too, and says so.
  run = verify(id, "restore", 3);
  EXPECT_TRUE(has_finding(run, "missing_wal", segment)) << run.dump(2);
  EXPECT_EQ(backup_labelled(m_expected["TAR1"])["status"], "bad");
}

TEST_F(BarmanVerify, AFlippedByteInAGzippedWalSegmentOfTheRangeIsBad)
{
  copy_home();
  add_and_scan("tar");
  auto info = testing::barman_backup_info(m_copy / "tar", m_expected["TAR1"]);
  const std::string segment = info["begin_wal"];
  const fs::path file = m_copy / "tar" / "wals" / segment.substr(0, 16) / segment;
  flip_byte(file, static_cast<std::streamoff>(fs::file_size(file) / 2));
  const std::string id = backup_labelled(m_expected["TAR1"])["id"];
  auto run = verify(id, "structure", 3);
  EXPECT_TRUE(has_finding(run, "corrupt_wal", segment)) << run.dump(2);
  EXPECT_EQ(backup_labelled(m_expected["TAR1"])["status"], "bad");
}

// Barman rewrites backup.info itself (check-backup's verdict, keep
// annotations): a changed backup.info is not damage to the backup.
TEST_F(BarmanVerify, BarmanRewritingItsBackupInfoIsNoDamage)
{
  copy_home();
  add_and_scan("plain");
  const fs::path info = m_copy / "plain" / "base" / m_expected["PLAIN1"] / "backup.info";
  std::string text = testing::read_file(info);
  const std::string stats = "copy_stats={";
  auto at = text.find(stats);
  ASSERT_NE(at, std::string::npos);
  text.insert(at + stats.size(), "'analysis_time': 0.5, ");
  std::ofstream(info, std::ios::trunc) << text;
  const std::string id = backup_labelled(m_expected["PLAIN1"])["id"];
  auto run = verify(id, "structure", 0);
  EXPECT_EQ(run["outcome"], "pass") << run.dump(2);
}

TEST_F(BarmanVerify, AFailedBackupIsBadBeyondItsBytes)
{
  copy_home();
  const fs::path info = m_copy / "plain" / "base" / m_expected["PLAIN2"] / "backup.info";
  std::string text = testing::read_file(info);
  text.replace(text.find("status=DONE"), 11, "status=FAILED");
  std::ofstream(info, std::ios::trunc) << text;
  add_and_scan("plain");
  const std::string id = backup_labelled(m_expected["PLAIN2"])["id"];
  auto run = verify(id, "restore", 3);
  EXPECT_TRUE(has_finding(run, "barman_status", "backup.info")) << run.dump(2);
  EXPECT_TRUE(run["row_counts"].empty()) << "never restored\n" << run.dump(2);
}

// Root reads any file: the verify runs as an unprivileged user.
TEST_F(BarmanVerify, AnUnreadableFileIsAnErrorNeverABadBackup)
{
  copy_home();
  const auto config = m_home.write("config.toml", "");
  fs::permissions(config, fs::perms::all);
  add_and_scan("plain");
  for (const auto& entry : fs::directory_iterator(m_home.path()))
    if (entry.path().filename().string().starts_with("catalog.db"))
      fs::permissions(entry.path(), fs::perms::all);
  const std::string id = backup_labelled(m_expected["PLAIN1"])["id"];
  const fs::path file = m_copy / "plain" / "base" / m_expected["PLAIN1"] / "data" / "PG_VERSION";
  fs::permissions(file, fs::perms::none);
  auto r = testing::run_lastgood(m_catalog + "--config " + shell_quote(config.string()) +
                                     " verify " + id + " --level checksum --json",
                                 true);
  EXPECT_EQ(r.exit_code, 1) << r.out << r.err;
  auto run = json::parse(r.out)["runs"].at(0);
  EXPECT_EQ(run["outcome"], "error") << run.dump(2);
  EXPECT_TRUE(has_finding(run, "unreadable_object", "data/PG_VERSION")) << run.dump(2);
  for (const auto& f : run["findings"])
    EXPECT_NE(f["severity"], "failure") << f.dump(2);
  EXPECT_NE(backup_labelled(m_expected["PLAIN1"])["status"], "bad");
}

} // namespace
} // namespace lastgood
