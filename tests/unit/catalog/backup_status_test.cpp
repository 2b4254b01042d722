// The status rule (v_backup_status, refresh_backup_status) on a hand-built
// catalog: which verification runs make a backup good or bad.

#include "catalog/catalog.hpp"
#include "catalog/verification_runs.hpp"
#include "tests/support/temp_dir.hpp"

#include <gtest/gtest.h>

namespace lastgood::catalog {
namespace {

class BackupStatusTest : public ::testing::Test
{
protected:
  void SetUp() override
  {
    m_catalog = Catalog::open((m_home.path() / "c.db").string());
    db().exec("INSERT INTO repositories (id, name, url, created_at) VALUES (1, 'main', '/r1', 't')");
    db().exec("INSERT INTO backups (id, backup_id, repository_id, root_key, kind, format, first_seen, last_seen)"
              " VALUES (1, 'base-1', 1, 'base/1', 'physical', 'base_tar', 't', 't')");
  }
  Database& db() { return m_catalog->db(); }
  void run(const std::string& level, const std::string& outcome)
  {
    auto id = begin_run(db(), 1, level, "manual", std::nullopt);
    finish_run(db(), id, outcome, 1.0, {}, {});
  }
  std::string status()
  {
    auto s = db().prepare("SELECT status FROM backups WHERE id = 1");
    s.step();
    return s.text(0);
  }

  testing::TempDir m_home;
  std::unique_ptr<Catalog> m_catalog;
};

TEST_F(BackupStatusTest, RestoreRunsDecideAndLaterChecksumFailuresSpoil)
{
  EXPECT_EQ(status(), "unverified");
  run("restore", "pass");
  EXPECT_EQ(status(), "good");
  run("checksum", "fail");
  EXPECT_EQ(status(), "bad");
  run("restore", "pass");
  EXPECT_EQ(status(), "good");
  run("restore", "fail");
  EXPECT_EQ(status(), "bad");
}

TEST_F(BackupStatusTest, AFailedPitrDrillDoesNotMarkAProvenBaseBackupBad)
{
  run("restore", "pass");
  run("pitr", "fail");  // e.g. the WAL to the target is missing
  EXPECT_EQ(status(), "good");
}

TEST_F(BackupStatusTest, APassingPitrDrillProvesTheBackup)
{
  run("pitr", "pass");
  EXPECT_EQ(status(), "good");
  run("restore", "fail");
  EXPECT_EQ(status(), "bad");
  run("pitr", "fail");
  EXPECT_EQ(status(), "bad");  // a failed drill proves nothing either way
}

} // namespace
} // namespace lastgood::catalog
