// pick_last_good over a catalog of real dumps of one database, each with its
// own time and verification history: the newest good wins, --before cuts off
// newer ones, and with nothing good the command says what there is instead.

#include "catalog/backup_queries.hpp"
#include "catalog/catalog.hpp"
#include "catalog/repositories.hpp"
#include "catalog/scanner.hpp"
#include "catalog/verification_runs.hpp"
#include "common/time.hpp"
#include "restore/pick.hpp"
#include "storage/storage.hpp"
#include "tests/support/run_command.hpp"
#include "tests/support/temp_dir.hpp"

#include <chrono>
#include <filesystem>
#include <gtest/gtest.h>

namespace lastgood {
namespace {

namespace fs = std::filesystem;
using testing::TempDir;

class PickTest : public ::testing::Test
{
protected:
  void SetUp() override
  {
    if (testing::artifacts_dir().empty())
      GTEST_SKIP() << "LASTGOOD_ARTIFACTS not set (run through ctest)";
    m_catalog = catalog::Catalog::open(catalog_path());
  }
  std::string catalog_path() const { return (m_home.path() / "catalog.db").string(); }
  // A real dump of shop taken `days_ago` days ago (its time is the file's mtime).
  void add_dump(const std::string& name, int days_ago)
  {
    auto path =
        m_repo.write(name, testing::read_file(testing::artifacts_dir() / "repo/dumps/shop.dump"));
    fs::last_write_time(path, fs::file_time_type::clock::now() - std::chrono::hours(24 * days_ago));
  }
  void scan()
  {
    auto repository = catalog::add_repository(m_catalog->db(), "repo", m_repo.path().string());
    auto storage = storage::open_storage(m_repo.path().string());
    catalog::scan_repository(m_catalog->db(), repository, *storage, {});
  }
  catalog::BackupRow backup(const std::string& key)
  {
    for (auto& b : catalog::list_backups(m_catalog->db(), {}))
      if (b.root_key == key) return b;
    throw std::runtime_error("no backup at " + key);
  }
  // A finished restore-level run with this outcome (status follows from it).
  void record(const std::string& key, const std::string& outcome)
  {
    auto run = catalog::begin_run(m_catalog->db(), backup(key).id, "restore", "manual",
                                  std::string("auto"));
    catalog::finish_run(m_catalog->db(), run, outcome, 1.0, {}, {{"public", "orders", 42}});
  }
  std::optional<std::string> picked(const restore::PickRequest& request)
  {
    auto r = restore::pick_last_good(m_catalog->db(), request);
    if (!r.backup) return std::nullopt;
    return r.backup->root_key;
  }

  TempDir m_home, m_repo;
  std::unique_ptr<catalog::Catalog> m_catalog;
};

TEST_F(PickTest, NewestGoodWinsOverNewerBadAndUnverified)
{
  add_dump("a-old.dump", 5);
  add_dump("b-good.dump", 4);
  add_dump("c-bad.dump", 3);
  add_dump("d-unverified.dump", 2);
  add_dump("e-was-good.dump", 1);
  scan();
  record("a-old.dump", "pass");
  record("b-good.dump", "pass");
  record("c-bad.dump", "fail");
  record("e-was-good.dump", "pass");
  record("e-was-good.dump", "fail"); // its newest verdict failed: bad now
  ASSERT_EQ(backup("b-good.dump").status, "good");
  ASSERT_EQ(backup("e-was-good.dump").status, "bad");
  ASSERT_EQ(backup("d-unverified.dump").status, "unverified");

  restore::PickRequest request;
  request.database = "shop";
  EXPECT_EQ(picked(request), "b-good.dump");
  auto result = restore::pick_last_good(m_catalog->db(), request);
  ASSERT_TRUE(result.evidence);
  EXPECT_EQ(result.evidence->outcome, "pass");
  EXPECT_EQ(result.row_counts.size(), 1u);

  request.before = now_seconds() - std::chrono::hours(24 * 4 + 12);
  EXPECT_EQ(picked(request), "a-old.dump") << "--before excludes newer backups";
  request.before = now_seconds() - std::chrono::hours(24 * 6);
  EXPECT_EQ(picked(request), std::nullopt);

  restore::PickRequest other;
  other.database = "inventory";
  EXPECT_EQ(picked(other), std::nullopt) << "another database's good backups do not count";
}

TEST_F(PickTest, NothingGoodIsExitThreeNamingNewestUnverifiedAndNewestBad)
{
  add_dump("a-bad.dump", 4);
  add_dump("b-bad.dump", 3);
  add_dump("c-unverified.dump", 2);
  add_dump("d-unverified.dump", 1);
  scan();
  record("a-bad.dump", "fail");
  record("b-bad.dump", "fail");
  restore::PickRequest request;
  request.database = "shop";
  auto result = restore::pick_last_good(m_catalog->db(), request);
  EXPECT_FALSE(result.backup);
  ASSERT_TRUE(result.newest_unverified);
  ASSERT_TRUE(result.newest_bad);
  EXPECT_EQ(result.newest_unverified->root_key, "d-unverified.dump");
  EXPECT_EQ(result.newest_bad->root_key, "b-bad.dump");

  auto r = testing::run_lastgood("--catalog " + testing::shell_quote(catalog_path()) +
                                 " pick --database shop");
  EXPECT_EQ(r.exit_code, 3) << r.out << r.err;
  EXPECT_NE(r.err.find(backup("d-unverified.dump").backup_id), std::string::npos) << r.err;
  EXPECT_NE(r.err.find(backup("b-bad.dump").backup_id), std::string::npos) << r.err;
  auto empty = testing::run_lastgood("--catalog " + testing::shell_quote(catalog_path()) +
                                     " pick --database nothing");
  EXPECT_EQ(empty.exit_code, 3) << empty.out << empty.err;
  EXPECT_NE(empty.err.find("no backups of it at all"), std::string::npos) << empty.err;
}

} // namespace
} // namespace lastgood
