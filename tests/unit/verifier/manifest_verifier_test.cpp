// ManifestVerifier and ManifestChecksum: per-file checks against a parsed
// backup_manifest, fed in chunks and from several threads.

#include "common/error.hpp"
#include "common/sha256.hpp"
#include "pg/crc32c.hpp"
#include "verifier/manifest_checksum.hpp"
#include "verifier/manifest_verifier.hpp"

#include <gtest/gtest.h>
#include <string>
#include <thread>
#include <vector>

namespace lastgood::verifier {
namespace {

std::span<const std::byte> bytes(std::string_view text)
{
  return std::as_bytes(std::span(text));
}

std::string checksum_of(std::string_view algorithm, std::string_view data)
{
  ManifestChecksum checksum(algorithm);
  checksum.update(bytes(data));
  return checksum.hex_digest();
}

pg::ManifestFile entry(std::string path, std::string_view data, std::string algorithm = "CRC32C")
{
  pg::ManifestFile file;
  file.path = std::move(path);
  file.size = data.size();
  file.checksum = checksum_of(algorithm, data);
  file.checksum_algorithm = algorithm == "NONE" ? "" : algorithm;
  return file;
}

// Feeds data in chunks of `chunk` bytes.
void feed(ManifestVerifier& verifier, std::string_view path, std::string_view data,
          std::size_t chunk = 7)
{
  auto check = verifier.check_file(path, "base/b1/" + std::string(path));
  for (std::size_t at = 0; at < data.size(); at += chunk)
    check.update(bytes(data.substr(at, chunk)));
  check.finish();
}

std::vector<std::string> kinds(const Findings& findings)
{
  std::vector<std::string> out;
  for (const auto& f : findings.items())
    out.push_back(f.kind + " " + f.subject);
  return out;
}

TEST(ManifestChecksum, MatchesKnownVectors)
{
  EXPECT_EQ(checksum_of("CRC32C", "123456789"), pg::crc32c_manifest_hex(0xE3069283u));
  EXPECT_EQ(checksum_of("SHA224", "abc"),
            "23097d223405d8228642a477bda255b32aadbce4bda0b3f7e36c9da7");
  EXPECT_EQ(checksum_of("SHA256", "abc"), Sha256::of("abc"));
  EXPECT_EQ(checksum_of("SHA384", "abc").size(), 96u);
  EXPECT_EQ(checksum_of("SHA512", "abc").substr(0, 16), "ddaf35a193617aba");
  EXPECT_EQ(checksum_of("", "abc"), "");
  EXPECT_EQ(checksum_of("NONE", "abc"), "");
  EXPECT_THROW(ManifestChecksum("MD5"), ValidationError);
}

class ManifestVerifierTest : public ::testing::Test
{
protected:
  ManifestVerifierTest()
  {
    pg::BackupManifest manifest;
    manifest.version = 1;
    manifest.manifest_checksum_ok = true;
    for (const auto& [path, algorithm] : std::vector<std::pair<std::string, std::string>>{
             {"PG_VERSION", "CRC32C"},
             {"global/pg_control", "SHA224"},
             {"base/1/1259", "SHA256"},
             {"base/1/2600", "SHA384"},
             {"base/1/2601", "SHA512"},
             {"base/1/2602", "NONE"},
             {"postgresql.auto.conf", "CRC32C"},
         })
      manifest.files.push_back(entry(path, content(path), algorithm));
    m_verifier = std::make_unique<ManifestVerifier>(std::move(manifest), "base/b1/");
  }
  static std::string content(const std::string& path)
  {
    std::string out;
    for (int i = 0; i < 100; ++i)
      out += path + ":" + std::to_string(i) + "\n";
    return out;
  }
  void feed_all_but(std::string_view skip = "")
  {
    for (const auto& file : m_verifier->manifest().files)
      if (file.path != skip) feed(*m_verifier, file.path, content(file.path));
  }
  std::unique_ptr<ManifestVerifier> m_verifier;
};

TEST_F(ManifestVerifierTest, EveryAlgorithmMatchesWhenFedInChunks)
{
  feed_all_but();
  EXPECT_TRUE(m_verifier->findings().items().empty()) << kinds(m_verifier->findings()).front();
  EXPECT_EQ(m_verifier->files_checked(), 6u); // postgresql.auto.conf is ignored
}

TEST_F(ManifestVerifierTest, ChangedBytesAreAMismatchWithExpectedAndActual)
{
  for (const auto& file : m_verifier->manifest().files) {
    std::string data = content(file.path);
    if (file.path == "base/1/2600") data[42] ^= 1;
    feed(*m_verifier, file.path, data);
  }
  auto findings = m_verifier->findings();
  ASSERT_EQ(findings.items().size(), 1u);
  const Finding& f = findings.items()[0];
  EXPECT_EQ(f.kind, finding_kind::manifest_mismatch);
  EXPECT_EQ(f.severity, Severity::Failure);
  EXPECT_EQ(f.subject, "base/b1/base/1/2600");
  EXPECT_EQ(f.detail["algorithm"], "SHA384");
  EXPECT_NE(f.detail["expected"], f.detail["actual"]);
  EXPECT_NE(f.message.find("SHA384"), std::string::npos);
}

TEST_F(ManifestVerifierTest, SizeIsCheckedEvenWithoutAChecksum)
{
  for (const auto& file : m_verifier->manifest().files) {
    std::string data = content(file.path);
    if (file.path == "base/1/2602") data.pop_back();
    if (file.path == "base/1/1259") data += "x";
    feed(*m_verifier, file.path, data);
  }
  auto findings = m_verifier->findings();
  EXPECT_EQ(kinds(findings), (std::vector<std::string>{"manifest_mismatch base/b1/base/1/1259",
                                                       "manifest_mismatch base/b1/base/1/2602"}));
  EXPECT_EQ(findings.items()[1].detail["actual_size"], content("base/1/2602").size() - 1);
}

TEST_F(ManifestVerifierTest, MissingAndExtraFilesAreReported)
{
  feed_all_but("base/1/1259");
  feed(*m_verifier, "base/1/99999", "stray");
  auto findings = m_verifier->findings();
  EXPECT_EQ(kinds(findings),
            (std::vector<std::string>{"manifest_missing_file base/b1/base/1/1259",
                                      "manifest_extra_file base/b1/base/1/99999"}));
  EXPECT_EQ(findings.items()[1].detail["actual_size"], 5);
}

TEST_F(ManifestVerifierTest, IgnoresWhatPgVerifybackupIgnores)
{
  feed_all_but("postgresql.auto.conf"); // listed, absent: fine
  feed(*m_verifier, "pg_wal/000000010000000000000002", "wal");
  feed(*m_verifier, "pg_wal/archive_status/x.done", "");
  feed(*m_verifier, "backup_manifest", "{}");
  feed(*m_verifier, "standby.signal", "");
  feed(*m_verifier, "recovery.signal", "");
  EXPECT_TRUE(m_verifier->findings().items().empty());
  EXPECT_TRUE(ManifestVerifier::is_ignored("pg_wal"));
  EXPECT_FALSE(ManifestVerifier::is_ignored("pg_wal_x"));
  EXPECT_FALSE(ManifestVerifier::is_ignored("base/pg_wal"));
}

TEST_F(ManifestVerifierTest, UnreadableAndIncompleteFilesAreNotCalledMissing)
{
  m_verifier->mark_unreadable("base/1/1259");
  m_verifier->mark_incomplete("base/1");
  feed(*m_verifier, "PG_VERSION", content("PG_VERSION"));
  auto findings = m_verifier->findings();
  EXPECT_EQ(kinds(findings),
            (std::vector<std::string>{"manifest_missing_file base/b1/global/pg_control"}));
}

TEST_F(ManifestVerifierTest, IsSafeToFeedFromManyThreads)
{
  pg::BackupManifest manifest;
  manifest.version = 1;
  for (int i = 0; i < 2000; ++i)
    manifest.files.push_back(entry("base/1/" + std::to_string(i), content(std::to_string(i))));
  ManifestVerifier verifier(std::move(manifest), "");
  std::vector<std::jthread> threads;
  for (int t = 0; t < 4; ++t)
    threads.emplace_back([&, t] {
      for (int i = t; i < 2000; i += 4)
        feed(verifier, "base/1/" + std::to_string(i),
             content(std::to_string(i)) + (i == 777 ? "!" : ""), 64);
      feed(verifier, "extra/" + std::to_string(t), "x");
    });
  threads.clear();
  auto findings = verifier.findings();
  EXPECT_EQ(verifier.files_checked(), 2000u);
  ASSERT_EQ(findings.items().size(), 5u);
  EXPECT_EQ(findings.items()[0].subject, "base/b1/base/1/777");
  EXPECT_EQ(findings.items()[1].kind, finding_kind::manifest_extra_file);
}

} // namespace
} // namespace lastgood::verifier
