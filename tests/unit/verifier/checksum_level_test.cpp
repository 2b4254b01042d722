// verify_checksums on a fake plain base backup (flipped, truncated, deleted,
// extra files, tampered or absent manifest, unreadable objects) and a dump.

#include "tests/unit/verifier/fake_backup.hpp"

#include <filesystem>
#include <gtest/gtest.h>
#include <string>

namespace lastgood::verifier {
namespace {

namespace fs = std::filesystem;
using fake::ChecksumLevel;
using fake::data_files;
using fake::pattern;
using Strings = std::vector<std::string>;

TEST_F(ChecksumLevel, GoodPlainBackupPasses)
{
  make_plain();
  for (unsigned jobs : {1u, 2u, 4u}) {
    auto findings = verify(jobs);
    EXPECT_TRUE(findings.items().empty()) << to_json(findings.items().front()).dump();
    EXPECT_EQ(m_stats.objects, m_objects.size());
    EXPECT_EQ(m_stats.manifest_files, data_files().size() - 1); // postgresql.auto.conf ignored
    std::uint64_t total = 0;
    for (const auto& o : m_objects)
      total += o.size;
    EXPECT_EQ(m_stats.bytes, total);
  }
}

TEST_F(ChecksumLevel, FlippedByteIsAChecksumAndAManifestMismatch)
{
  make_plain();
  flip_byte("base/b1/base/1/2600", 2 * 1024 * 1024 + 5);
  auto findings = verify();
  EXPECT_EQ(of(findings), (Strings{"checksum_mismatch base/b1/base/1/2600",
                                   "manifest_mismatch base/b1/base/1/2600"}));
  const Finding& f = findings.items()[0];
  for (const auto& o : m_objects)
    if (o.key == f.subject) {
      EXPECT_EQ(f.detail["expected"], *o.sha256);
    }
  EXPECT_NE(f.detail["expected"], f.detail["actual"]);
  EXPECT_NE(f.message.find("base/b1/base/1/2600"), std::string::npos);
}

TEST_F(ChecksumLevel, OtherManifestAlgorithmsWork)
{
  for (std::string algorithm : {"SHA256", "NONE"}) {
    make_plain(algorithm);
    EXPECT_TRUE(verify().items().empty()) << algorithm;
    flip_byte("base/b1/global/pg_control", 100);
    Strings expected{"checksum_mismatch base/b1/global/pg_control"};
    if (algorithm != "NONE") expected.push_back("manifest_mismatch base/b1/global/pg_control");
    EXPECT_EQ(of(verify()), expected) << algorithm;
  }
}

TEST_F(ChecksumLevel, TruncatedFileIsASizeMismatch)
{
  make_plain();
  std::string data = testing::read_file(at("base/b1/base/1/1259"));
  write("base/b1/base/1/1259", data.substr(0, 8192));
  EXPECT_EQ(of(verify()), (Strings{"size_mismatch base/b1/base/1/1259",
                                   "manifest_mismatch base/b1/base/1/1259"}));
}

TEST_F(ChecksumLevel, DeletedFileIsMissingFromStorageAndManifest)
{
  make_plain();
  fs::remove(at("base/b1/global/pg_control"));
  EXPECT_EQ(of(verify()), (Strings{"missing_object base/b1/global/pg_control",
                                   "manifest_missing_file base/b1/global/pg_control"}));
}

TEST_F(ChecksumLevel, ExtraFileIsReportedWhetherCatalogedOrNot)
{
  make_plain();
  write("base/b1/base/1/99999", "stray");
  EXPECT_EQ(of(verify()), (Strings{"manifest_extra_file base/b1/base/1/99999"}));
  catalog_objects(); // scanned since
  EXPECT_EQ(of(verify()), (Strings{"manifest_extra_file base/b1/base/1/99999"}));
}

TEST_F(ChecksumLevel, TamperedManifestIsInvalid)
{
  make_plain();
  std::string manifest = testing::read_file(at("base/b1/backup_manifest"));
  auto at_size = manifest.find("\"Size\": 3,");
  ASSERT_NE(at_size, std::string::npos);
  manifest.replace(at_size, 10, "\"Size\": 4,");
  write("base/b1/backup_manifest", manifest);
  catalog_objects(); // so the catalog agrees and only the manifest's own checksum fails
  auto findings = verify();
  EXPECT_EQ(of(findings), (Strings{"manifest_invalid base/b1/backup_manifest"}));

  write("base/b1/backup_manifest", "{ not json\n");
  catalog_objects();
  EXPECT_EQ(of(verify()), (Strings{"manifest_invalid base/b1/backup_manifest"}));
}

TEST_F(ChecksumLevel, NoManifestIsAWarningAndTheCatalogStillCounts)
{
  make_plain("CRC32C", false);
  auto findings = verify();
  EXPECT_TRUE(of(findings).empty());
  EXPECT_EQ(of(findings, Severity::Warning), (Strings{"manifest_invalid base/b1/backup_manifest"}));
  flip_byte("base/b1/PG_VERSION", 0);
  EXPECT_EQ(of(verify()), (Strings{"checksum_mismatch base/b1/PG_VERSION"}));
}

TEST_F(ChecksumLevel, VanishedBackupIsEveryObjectMissing)
{
  make_plain();
  fs::remove_all(at("base/b1"));
  auto failures = of(verify());
  ASSERT_EQ(failures.size(), m_objects.size());
  for (const auto& failure : failures)
    EXPECT_TRUE(failure.starts_with("missing_object ")) << failure;
}

TEST_F(ChecksumLevel, UnreadableObjectIsAnErrorNotAFailure)
{
  make_plain();
  auto findings = verify_failing("base/b1/base/1/1259");
  EXPECT_TRUE(of(findings).empty()) << of(findings).front();
  EXPECT_EQ(of(findings, Severity::Error), (Strings{"unreadable_object base/b1/base/1/1259"}));
}

TEST_F(ChecksumLevel, NeverHashedObjectGetsAWarning)
{
  make_plain();
  for (auto& o : m_objects)
    if (o.key == "base/b1/PG_VERSION") o.sha256.reset();
  auto findings = verify();
  EXPECT_TRUE(of(findings).empty());
  EXPECT_EQ(of(findings, Severity::Warning), (Strings{"unreadable_object base/b1/PG_VERSION"}));
}

TEST_F(ChecksumLevel, SingleFileDump)
{
  write("dumps/shop.dump", "PGDMP" + pattern(200000, 4));
  m_backup = row("dumps/shop.dump", "custom");
  catalog_objects();
  EXPECT_TRUE(verify().items().empty());
  EXPECT_EQ(m_stats.objects, 1u);
  EXPECT_EQ(m_stats.manifest_files, 0u);
  flip_byte("dumps/shop.dump", 150000);
  auto findings = verify();
  EXPECT_EQ(of(findings), (Strings{"checksum_mismatch dumps/shop.dump"}));
  EXPECT_EQ(findings.items()[0].detail["expected"], *m_objects[0].sha256);
  fs::remove(at("dumps/shop.dump"));
  EXPECT_EQ(of(verify()), (Strings{"missing_object dumps/shop.dump"}));
}

} // namespace
} // namespace lastgood::verifier
