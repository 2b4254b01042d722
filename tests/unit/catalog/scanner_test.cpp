// Incremental scan behaviour on a file repository made by the test.

#include <gtest/gtest.h>
#include <sys/time.h>

#include <filesystem>

#include "catalog/audit.hpp"
#include "catalog/catalog.hpp"
#include "catalog/repositories.hpp"
#include "catalog/scanner.hpp"
#include "common/sha256.hpp"
#include "storage/storage.hpp"
#include "tests/support/temp_dir.hpp"

namespace lastgood::catalog {
namespace {

using lastgood::testing::TempDir;

class ScannerTest : public ::testing::Test {
protected:
  void SetUp() override
  {
    m_catalog = Catalog::open((m_home.path() / "catalog.db").string());
    std::filesystem::create_directories(m_repo.path());
    m_repository = add_repository(db(), "test", m_repo.path().string());
    m_storage = storage::open_storage(m_repo.path().string());
  }
  Database& db() { return m_catalog->db(); }
  ScanSummary scan(bool rehash = false)
  {
    ScanOptions options;
    options.rehash = rehash;
    options.jobs = 2;
    return scan_repository(db(), m_repository, *m_storage, options);
  }
  std::string object_column(const std::string& key, const std::string& column)
  {
    auto s = db().prepare("SELECT coalesce(" + column + ", '') FROM objects WHERE key = ?");
    s.bind(1, key);
    return s.step() ? s.text(0) : "<no row>";
  }

  TempDir m_home, m_repo;
  std::unique_ptr<Catalog> m_catalog;
  Repository m_repository;
  std::unique_ptr<storage::Storage> m_storage;
};

TEST_F(ScannerTest, SecondScanHashesNothing)
{
  m_repo.write("a.txt", "alpha");
  m_repo.write("dir/b.txt", std::string(3 << 20, 'b'));
  auto first = scan();
  EXPECT_EQ(first.new_objects, 2u);
  EXPECT_EQ(first.bytes_hashed, 5u + (3u << 20));
  EXPECT_EQ(object_column("a.txt", "sha256"), Sha256::of("alpha"));
  auto second = scan();
  EXPECT_EQ(second.new_objects, 0u);
  EXPECT_EQ(second.unchanged, 2u);
  EXPECT_EQ(second.bytes_hashed, 0u);
  EXPECT_TRUE(second.clean());
}

TEST_F(ScannerTest, RehashReadsEverythingAgain)
{
  m_repo.write("a.txt", "alpha");
  scan();
  auto again = scan(true);
  EXPECT_EQ(again.bytes_hashed, 5u);
  EXPECT_EQ(again.unchanged, 1u);
  EXPECT_TRUE(again.content_changed.empty());
}

TEST_F(ScannerTest, ChangedObjectIsRehashedAndAudited)
{
  auto path = m_repo.write("a.txt", "alpha");
  scan();
  m_repo.write("a.txt", "omega!");
  auto s = scan();
  EXPECT_EQ(s.changed, 1u);
  ASSERT_EQ(s.content_changed.size(), 1u);
  EXPECT_EQ(object_column("a.txt", "sha256"), Sha256::of("omega!"));
  auto audit = db().prepare("SELECT severity, detail FROM audit_log WHERE action = 'scan.object_changed' AND subject = 'a.txt'");
  ASSERT_TRUE(audit.step());
  EXPECT_EQ(audit.text(0), "warning");
  EXPECT_NE(audit.text(1).find(Sha256::of("alpha")), std::string::npos);
}

TEST_F(ScannerTest, SilentCorruptionWithSameSizeAndMtimeIsFoundByRehash)
{
  auto path = m_repo.write("a.txt", "alpha");
  struct timeval times[2] = {{1700000000, 0}, {1700000000, 0}};
  ASSERT_EQ(::utimes(path.c_str(), times), 0);
  scan();
  m_repo.write("a.txt", "alphb");  // bit rot: same size
  ASSERT_EQ(::utimes(path.c_str(), times), 0);
  EXPECT_EQ(scan().bytes_hashed, 0u) << "unchanged size and mtime are trusted without --rehash";
  auto s = scan(true);
  ASSERT_EQ(s.content_changed.size(), 1u);
  EXPECT_EQ(s.content_changed[0], "a.txt");
  EXPECT_FALSE(s.clean());
}

TEST_F(ScannerTest, VanishedObjectsAreMarkedMissingAndKept)
{
  m_repo.write("a.txt", "alpha");
  auto gone = m_repo.write("b.txt", "beta");
  scan();
  std::filesystem::remove(gone);
  auto s = scan();
  EXPECT_EQ(s.missing, 1u);
  EXPECT_NE(object_column("b.txt", "missing_since"), "");
  EXPECT_EQ(object_column("b.txt", "sha256"), Sha256::of("beta"));
  EXPECT_EQ(scan().missing, 0u) << "missing is reported when it happens, once";
  m_repo.write("b.txt", "beta");
  scan();
  EXPECT_EQ(object_column("b.txt", "missing_since"), "") << "a returning object is no longer missing";
}

TEST_F(ScannerTest, NothingUnderAnUnlistableDirectoryIsMarkedMissing)
{
  if (::geteuid() == 0) GTEST_SKIP() << "root reads any directory; the CLI integration test covers this as nobody";
  m_repo.write("locked/a.txt", "alpha");
  scan();
  std::filesystem::permissions(m_repo.path() / "locked", std::filesystem::perms::none);
  auto s = scan();
  std::filesystem::permissions(m_repo.path() / "locked", std::filesystem::perms::owner_all);
  EXPECT_EQ(s.missing, 0u);
  ASSERT_FALSE(s.problems.empty());
  EXPECT_EQ(s.problems[0].key, "locked");
}

TEST_F(ScannerTest, DamagedDumpIsReportedOnceAndStaysKnown)
{
  m_repo.write("bad.dump", "PGDMP\x01\x0e");
  m_repo.write("random.dump", "this is not a dump at all");
  m_repo.write("empty.dump", "");
  auto s = scan();
  EXPECT_EQ(s.problems.size(), 3u);
  for (const auto& p : s.problems) EXPECT_FALSE(p.message.empty()) << p.key;
  auto again = scan();
  EXPECT_TRUE(again.problems.empty());
  EXPECT_EQ(again.standing_problems.size(), 3u) << "known problems are still reported, as standing";
  EXPECT_FALSE(again.clean());
}

TEST_F(ScannerTest, ScanRowRecordsCounts)
{
  m_repo.write("a.txt", "alpha");
  auto s = scan();
  auto row = db().prepare("SELECT objects_new, bytes_hashed, finished_at IS NOT NULL FROM scans WHERE id = ?");
  row.bind(1, s.scan_id);
  ASSERT_TRUE(row.step());
  EXPECT_EQ(row.int64(0), 1);
  EXPECT_EQ(row.int64(1), 5);
  EXPECT_EQ(row.int64(2), 1);
}

} // namespace
} // namespace lastgood::catalog
