// lastgood beside Debian's `barman check-backup` and `barman verify-backup`,
// run offline (no PostgreSQL needed) on a copy of the real repository, for
// the damage cases of docs/barman.md. lastgood's outcome is the point; what
// Barman does is asserted too, so the table in docs/barman.md stays true.

#include "tests/integration/barman_catalog/barman_fixture.hpp"

namespace lastgood {
namespace {

namespace fs = std::filesystem;
using nlohmann::json;
using testing::shell_quote;

// One line of a shell command's output, without its newline.
std::string output_line(const std::string& command)
{
  std::string out = testing::run_shell(command).out;
  while (!out.empty() && (out.back() == '\n' || out.back() == '\r'))
    out.pop_back();
  return out;
}

class BarmanSideBySide : public testing::BarmanCliTest
{
protected:
  void SetUp() override
  {
    testing::BarmanCliTest::SetUp();
    if (IsSkipped()) return;
    if (testing::run_shell("command -v barman").exit_code != 0)
      GTEST_SKIP() << "Debian's barman is not installed";
    m_copy = m_home.path() / "barman";
    auto r = testing::run_shell("cp -a " + shell_quote(testing::barman_home().string()) + " " +
                                shell_quote(m_copy.string()));
    ASSERT_EQ(r.exit_code, 0) << r.err;
    // Barman's links to its tablespace copies dangle once a repository moves
    // (pg_verifybackup then fails on every plain backup): point them home.
    for (const std::string server : {"plain", "tar"})
      for (const auto& backup : fs::directory_iterator(m_copy / server / "base")) {
        const fs::path link = backup.path() / "data" / "pg_tblspc" / "16391";
        if (!fs::is_symlink(link)) continue;
        fs::remove(link);
        fs::create_directory_symlink(backup.path() / "16391", link);
      }
    std::string conf =
        "[barman]\nbarman_home = " + m_copy.string() + "\nbarman_user = " + output_line("id -un") +
        "\nlog_file = " + (m_home.path() / "barman.log").string() + "\ncompression = gzip\n";
    const std::string bin = output_line("ls -d /usr/lib/postgresql/*/bin | sort -V | tail -n 1");
    for (const std::string server : {"plain", "tar"})
      conf += "[" + server +
              "]\ndescription = offline copy\nconninfo = host=/nonexistent port=1\n"
              "streaming_conninfo = host=/nonexistent port=1\nbackup_method = postgres\n"
              "archiver = on\npath_prefix = " +
              bin + "\n";
    m_conf = m_home.write("barman.conf", conf);
    ASSERT_EQ(lastgood("repo add plain " + shell_quote((m_copy / "plain").string())).exit_code, 0);
    ASSERT_EQ(lastgood("repo add tar " + shell_quote((m_copy / "tar").string())).exit_code, 0);
    ASSERT_EQ(lastgood("scan -q").exit_code, 0);
  }
  testing::CommandResult barman(const std::string& command, const std::string& server,
                                const std::string& id)
  {
    return testing::run_shell("timeout 120 barman -c " + shell_quote(m_conf.string()) + " " +
                              command + " " + server + " " + id + " 2>&1");
  }
  int verify_exit(const std::string& label, const std::string& level)
  {
    return lastgood("verify " + backup_labelled(label)["id"].get<std::string>() + " --level " +
                    level)
        .exit_code;
  }
  std::string status_in_backup_info(const std::string& server, const std::string& id)
  {
    return testing::barman_backup_info(m_copy / server, id)["status"];
  }
  fs::path m_copy, m_conf;
};

TEST_F(BarmanSideBySide, GoodBackupsPassBothExceptVerifyBackupOnCompressedTars)
{
  const std::string plain = m_expected["PLAIN1"], tar = m_expected["TAR1"];
  EXPECT_EQ(verify_exit(plain, "structure"), 0);
  EXPECT_EQ(verify_exit(tar, "structure"), 0);
  auto check = barman("check-backup", "plain", plain);
  EXPECT_EQ(check.exit_code, 0) << check.out;
  EXPECT_EQ(status_in_backup_info("plain", plain), "DONE");
  auto verified = barman("verify-backup", "plain", plain);
  EXPECT_EQ(verified.exit_code, 0) << verified.out;
  EXPECT_NE(verified.out.find("successfully verified"), std::string::npos) << verified.out;
  // pg_verifybackup reads directories only: a backup_compression = gzip
  // backup fails it although it is good.
  auto tar_verified = barman("verify-backup", "tar", tar);
  EXPECT_NE(tar_verified.exit_code, 0) << tar_verified.out;
  EXPECT_NE(tar_verified.out.find("base.tar.gz\" is present on disk but not in the manifest"),
            std::string::npos)
      << tar_verified.out;
}

TEST_F(BarmanSideBySide, AFlippedByteInADataFile)
{
  const std::string id = m_expected["PLAIN1"];
  const fs::path file = m_copy / "plain" / "base" / id / "data" / "base" / "5" / "1259";
  {
    std::fstream f(file, std::ios::in | std::ios::out | std::ios::binary);
    f.seekp(100);
    f.put('\x7f');
  }
  EXPECT_EQ(verify_exit(id, "checksum"), 3);
  auto verified = barman("verify-backup", "plain", id);
  EXPECT_NE(verified.exit_code, 0) << verified.out;
  EXPECT_NE(verified.out.find("checksum mismatch for file \"base/5/1259\""), std::string::npos)
      << verified.out;
  // check-backup looks at WAL only.
  EXPECT_EQ(barman("check-backup", "plain", id).exit_code, 0);
  EXPECT_EQ(status_in_backup_info("plain", id), "DONE");
}

TEST_F(BarmanSideBySide, AMissingWalSegmentInsideTheBackupsRange)
{
  const std::string id = m_expected["PLAIN1"];
  const std::string segment = testing::barman_backup_info(m_copy / "plain", id)["begin_wal"];
  fs::remove(m_copy / "plain" / "wals" / segment.substr(0, 16) / segment);
  EXPECT_EQ(verify_exit(id, "structure"), 3);
  // verify-backup checks the data directory only.
  EXPECT_EQ(barman("verify-backup", "plain", id).exit_code, 0);
  // check-backup exits 0 and says nothing, but marks the backup FAILED in
  // backup.info (which lastgood then reports on its next scan).
  auto check = barman("check-backup", "plain", id);
  EXPECT_EQ(check.exit_code, 0) << check.out;
  EXPECT_EQ(status_in_backup_info("plain", id), "FAILED");
  // The scan also finds the segment wals/xlog.db lists gone from disk.
  auto scan = lastgood("scan");
  EXPECT_EQ(scan.exit_code, 3) << scan.out << scan.err;
  EXPECT_NE((scan.out + scan.err).find(segment), std::string::npos) << scan.out << scan.err;
  auto backup = backup_labelled(id);
  EXPECT_NE(backup["problem"].get<std::string>().find("FAILED"), std::string::npos)
      << backup.dump(2);
}

TEST_F(BarmanSideBySide, AFlippedByteInAGzippedWalSegmentOfTheRange)
{
  const std::string id = m_expected["PLAIN1"];
  const std::string segment = testing::barman_backup_info(m_copy / "plain", id)["begin_wal"];
  const fs::path file = m_copy / "plain" / "wals" / segment.substr(0, 16) / segment;
  {
    std::fstream f(file, std::ios::in | std::ios::out | std::ios::binary);
    f.seekp(static_cast<std::streamoff>(fs::file_size(file) / 2));
    f.put('\x00');
    f.seekp(static_cast<std::streamoff>(fs::file_size(file) / 2 + 1));
    f.put('\xff');
  }
  EXPECT_EQ(verify_exit(id, "structure"), 3);
  // Both Barman commands miss it: check-backup looks for the file, verify-backup at data/.
  EXPECT_EQ(barman("check-backup", "plain", id).exit_code, 0);
  EXPECT_EQ(status_in_backup_info("plain", id), "DONE");
  EXPECT_EQ(barman("verify-backup", "plain", id).exit_code, 0);
}

} // namespace
} // namespace lastgood
