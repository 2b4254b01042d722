// Routine re-verification by XXH3-128 on a real catalog and real files: a
// plain base backup with one file of three 64 MiB blocks, scanned, then
// verified at the checksum level (fast path, --cryptographic, a catalog from
// before fast hashes, and the sha256_every schedule).

#include "catalog/backup_queries.hpp"
#include "catalog/catalog.hpp"
#include "catalog/repositories.hpp"
#include "catalog/scanner.hpp"
#include "common/fast_hash.hpp"
#include "common/time.hpp"
#include "tests/unit/verifier/fake_backup.hpp"
#include "verifier/sha256_schedule.hpp"
#include "verifier/verifier.hpp"

#include <fstream>
#include <gtest/gtest.h>

namespace lastgood::verifier {
namespace {

namespace fs = std::filesystem;
using fake::data_files;
using fake::make_manifest;
using fake::pattern;

const std::string kBig = "base/b1/base/1/16400";
const std::uint64_t kBigSize = 2 * kFastBlockBytes + 3; // three blocks, the last of 3 bytes

class FastHashVerify : public ::testing::Test
{
protected:
  void SetUp() override
  {
    m_catalog = catalog::Catalog::open((m_home.path() / "catalog.db").string());
    fs::create_directories(m_repo.path());
    m_repository = catalog::add_repository(db(), "test", m_repo.path().string());
    m_storage = storage::open_storage(m_repo.path().string());
    auto files = data_files();
    files.push_back({"base/1/16400", pattern(kBigSize, 11)});
    for (const auto& f : files)
      m_repo.write("base/b1/" + f.path, f.data);
    m_repo.write("base/b1/backup_manifest", make_manifest(files));
    scan();
  }
  catalog::Database& db() { return m_catalog->db(); }
  void scan()
  {
    catalog::ScanOptions options;
    options.jobs = 2;
    catalog::scan_repository(db(), m_repository, *m_storage, options);
  }
  catalog::BackupRow backup()
  {
    auto id = db().prepare("SELECT backup_id FROM backups");
    if (!id.step()) throw Error("no backup was cataloged");
    auto found = catalog::find_backup(db(), id.text(0));
    if (!found) throw Error("no backup was cataloged");
    return *found;
  }
  VerifyReport verify(bool cryptographic = false)
  {
    Verifier verifier(db(), VerifyConfig{}, "auto", 2);
    verifier.set_cryptographic(cryptographic);
    return verifier.verify(backup(), Level::Checksum, "manual");
  }
  std::string column(const std::string& key, const std::string& name)
  {
    auto s =
        db().prepare("SELECT coalesce(CAST(" + name + " AS TEXT), '') FROM objects WHERE key = ?");
    s.bind(1, key);
    return s.step() ? s.text(0) : "<no row>";
  }
  std::string run_hash(std::int64_t run_id)
  {
    auto s = db().prepare("SELECT coalesce(checksum_hash, '') FROM verification_runs WHERE id = ?");
    s.bind(1, run_id);
    return s.step() ? s.text(0) : "<no run>";
  }
  void flip_byte(const std::string& key, std::uint64_t offset)
  {
    std::fstream file(m_repo.path() / key, std::ios::in | std::ios::out | std::ios::binary);
    file.seekg(static_cast<std::streamoff>(offset));
    char c = 0;
    file.get(c);
    file.seekp(static_cast<std::streamoff>(offset));
    file.put(static_cast<char>(c ^ 0x01));
  }
  void set_sha256_checked(const std::string& when)
  {
    db().prepare("UPDATE objects SET sha256_checked = ?").bind(1, when).run();
  }
  static std::vector<std::string> kinds(const VerifyReport& report)
  {
    std::vector<std::string> out;
    for (const auto& f : report.findings)
      out.push_back(f.kind + " " + f.subject);
    return out;
  }

  testing::TempDir m_home, m_repo;
  std::unique_ptr<catalog::Catalog> m_catalog;
  catalog::Repository m_repository;
  std::unique_ptr<storage::Storage> m_storage;
};

TEST_F(FastHashVerify, ScanRecordsXxh3OfEachObjectAndBlock)
{
  EXPECT_EQ(column("base/b1/PG_VERSION", "xxh3_128"), Xxh3_128::of("15\n"));
  EXPECT_EQ(column("base/b1/PG_VERSION", "xxh3_blocks"), "");
  const std::string big = pattern(kBigSize, 11);
  EXPECT_EQ(column(kBig, "xxh3_128"), Xxh3_128::of(big));
  EXPECT_EQ(column(kBig, "xxh3_blocks"),
            Xxh3_128::of(std::string_view(big).substr(0, kFastBlockBytes)) +
                Xxh3_128::of(std::string_view(big).substr(kFastBlockBytes, kFastBlockBytes)) +
                Xxh3_128::of(std::string_view(big).substr(2 * kFastBlockBytes)));
  EXPECT_EQ(column(kBig, "xxh3_block_size"), std::to_string(kFastBlockBytes));
  EXPECT_NE(column(kBig, "sha256_checked"), "");
}

TEST_F(FastHashVerify, GoodBackupPassesByXxh3WithTheManifestCheckedFromRanges)
{
  auto report = verify();
  EXPECT_EQ(report.outcome, "pass") << to_json(report).dump();
  EXPECT_TRUE(report.findings.empty());
  EXPECT_EQ(report.checksum_hash, "xxh3-128");
  EXPECT_EQ(run_hash(report.run_id), "xxh3-128");
}

TEST_F(FastHashVerify, FlippedByteInABigFileNamesTheBlockRange)
{
  flip_byte(kBig, kFastBlockBytes + 1000); // the second block
  auto report = verify();
  EXPECT_EQ(report.outcome, "fail");
  ASSERT_EQ(kinds(report),
            (std::vector<std::string>{"checksum_mismatch " + kBig, "manifest_mismatch " + kBig}));
  const Finding& f = report.findings[0];
  EXPECT_EQ(f.detail["hash"], "xxh3-128");
  ASSERT_EQ(f.detail["ranges"].size(), 1u);
  EXPECT_EQ(f.detail["ranges"][0]["first_byte"], kFastBlockBytes);
  EXPECT_EQ(f.detail["ranges"][0]["last_byte"], 2 * kFastBlockBytes - 1);
  EXPECT_NE(f.message.find("bytes 67108864-134217727"), std::string::npos) << f.message;
  EXPECT_EQ(report.checksum_hash, "xxh3-128");
}

TEST_F(FastHashVerify, FlippedByteInTheShortLastBlockIsFound)
{
  flip_byte(kBig, kBigSize - 1);
  auto report = verify();
  ASSERT_FALSE(report.findings.empty());
  EXPECT_EQ(report.findings[0].detail["ranges"][0]["first_byte"], 2 * kFastBlockBytes);
  EXPECT_EQ(report.findings[0].detail["ranges"][0]["last_byte"], kBigSize - 1);
}

TEST_F(FastHashVerify, GrownBigFileIsASizeMismatch)
{
  std::ofstream(m_repo.path() / kBig, std::ios::app | std::ios::binary) << "x";
  auto report = verify();
  ASSERT_FALSE(report.findings.empty());
  EXPECT_EQ(kinds(report)[0], "size_mismatch " + kBig);
}

TEST_F(FastHashVerify, CryptographicRecomputesSha256)
{
  set_sha256_checked("2020-01-01T00:00:00Z");
  flip_byte(kBig, 5);
  auto report = verify(true);
  EXPECT_EQ(report.checksum_hash, "sha256");
  EXPECT_EQ(run_hash(report.run_id), "sha256");
  ASSERT_FALSE(report.findings.empty());
  const Finding& f = report.findings[0];
  EXPECT_EQ(f.kind + " " + f.subject, "checksum_mismatch " + kBig);
  EXPECT_EQ(f.detail["expected"], column(kBig, "sha256"));
  EXPECT_NE(f.detail["actual"], f.detail["expected"]);
  // The good objects' SHA-256 was recomputed now; the damaged one's was not.
  EXPECT_NE(column("base/b1/PG_VERSION", "sha256_checked"), "2020-01-01T00:00:00Z");
  EXPECT_EQ(column(kBig, "sha256_checked"), "2020-01-01T00:00:00Z");
  // The XXH3 digests the scan recorded stay.
  EXPECT_EQ(column("base/b1/PG_VERSION", "xxh3_128"), Xxh3_128::of("15\n"));
  EXPECT_EQ(column(kBig, "xxh3_blocks").size(), 3u * 32u);
}

TEST_F(FastHashVerify, OldCatalogGainsFastHashesOnItsNextFullRead)
{
  const std::string whole = column(kBig, "xxh3_128"), blocks = column(kBig, "xxh3_blocks");
  // As migration 0016 leaves a catalog: SHA-256 known, no XXH3.
  db().prepare("UPDATE objects SET xxh3_128 = NULL, xxh3_blocks = NULL, xxh3_block_size = NULL")
      .run();
  auto first = verify();
  EXPECT_EQ(first.outcome, "pass");
  EXPECT_EQ(first.checksum_hash, "sha256");
  EXPECT_EQ(column(kBig, "xxh3_128"), whole);
  EXPECT_EQ(column(kBig, "xxh3_blocks"), blocks);
  EXPECT_EQ(column("base/b1/PG_VERSION", "xxh3_128"), Xxh3_128::of("15\n"));
  auto second = verify();
  EXPECT_EQ(second.outcome, "pass");
  EXPECT_EQ(second.checksum_hash, "xxh3-128");
}

TEST_F(FastHashVerify, Sha256ComesDueAfterSha256Every)
{
  set_sha256_checked(format_rfc3339(now_seconds() - std::chrono::hours(24 * 91)));
  EXPECT_EQ(verify().checksum_hash, "sha256");
  // That run recomputed every SHA-256: none is due now.
  EXPECT_EQ(verify().checksum_hash, "xxh3-128");
  set_sha256_checked(format_rfc3339(now_seconds() - std::chrono::hours(24 * 10)));
  EXPECT_EQ(verify().checksum_hash, "xxh3-128");
}

TEST(Sha256Schedule, ObjectsCheckedTogetherComeDueInAnEvenSpread)
{
  const auto every = std::chrono::hours(24 * 90);
  const TimePoint checked = parse_rfc3339("2026-01-01T00:00:00Z");
  auto due_share = [&](double fraction) {
    int due = 0;
    for (int i = 0; i < 1000; ++i) {
      catalog::BackupObjectRow row;
      row.key = "base/b1/base/1/" + std::to_string(16384 + i);
      row.fast.whole = std::string(32, '0');
      row.sha256_checked = format_rfc3339(checked);
      const auto age = std::chrono::seconds(static_cast<std::int64_t>(
          fraction * static_cast<double>(std::chrono::seconds(every).count())));
      due += sha256_due(row, every, checked + age) ? 1 : 0;
    }
    return due / 1000.0;
  };
  EXPECT_EQ(due_share(0.49), 0.0);
  EXPECT_GT(due_share(0.625), 0.15);
  EXPECT_LT(due_share(0.625), 0.35);
  EXPECT_GT(due_share(0.75), 0.4);
  EXPECT_LT(due_share(0.75), 0.6);
  EXPECT_EQ(due_share(1.0), 1.0);
}

TEST(Sha256Schedule, WithoutFastHashOrCheckTimeSha256IsDue)
{
  catalog::BackupObjectRow row;
  row.key = "a";
  EXPECT_TRUE(sha256_due(row, std::chrono::hours(24), now_seconds()));
  row.fast.whole = std::string(32, '0');
  EXPECT_TRUE(sha256_due(row, std::chrono::hours(24), now_seconds()));
  row.sha256_checked = format_rfc3339(now_seconds());
  EXPECT_FALSE(sha256_due(row, std::chrono::hours(24), now_seconds()));
}

} // namespace
} // namespace lastgood::verifier
