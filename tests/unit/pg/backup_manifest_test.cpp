#include "common/error.hpp"
#include "common/sha256.hpp"
#include "pg/backup_manifest.hpp"
#include "pg/decompress.hpp"
#include "storage/string_read_stream.hpp"
#include "tests/support/temp_dir.hpp"

#include <cstring>
#include <filesystem>
#include <gtest/gtest.h>

namespace lastgood::pg {
namespace {

// The backup_manifest PostgreSQL 15's pg_basebackup -Fp wrote for an empty
// cluster with one extra file whose name is not UTF-8 (so it has an
// Encoded-Path), gzip'd verbatim to keep the repository small.
std::string real_pg15_manifest()
{
  auto gz = testing::read_file(std::filesystem::path(__FILE__).parent_path() / "data" /
                               "backup_manifest_15.gz");
  auto stream = decompressing_stream(std::make_unique<storage::StringReadStream>(gz), "gz");
  std::string text;
  std::vector<std::byte> buffer(65536);
  while (std::size_t n = stream->read(buffer))
    text.append(reinterpret_cast<const char*>(buffer.data()), n);
  return text;
}

// Completes a manifest body (everything before the checksum line) the way the
// server does: the SHA-256 of the body, then the last line.
std::string with_checksum(const std::string& body)
{
  return body + "\"Manifest-Checksum\": \"" + Sha256::of(body) + "\"}\n";
}

std::string v1_body(const std::string& files, const std::string& ranges = R"(
{ "Timeline": 1, "Start-LSN": "0/2000028", "End-LSN": "0/2000100" })")
{
  return "{ \"PostgreSQL-Backup-Manifest-Version\": 1,\n\"Files\": [" + files +
         "\n],\n\"WAL-Ranges\": [" + ranges + "\n],\n";
}

const std::string kLabelFile = R"(
{ "Path": "backup_label", "Size": 225, "Last-Modified": "2026-11-22 01:10:25 GMT", "Checksum-Algorithm": "CRC32C", "Checksum": "4574a310" })";

void expect_malformed(const std::string& text, const std::string& needle)
{
  try {
    parse_backup_manifest(text);
    FAIL() << "no exception for: " << needle;
  } catch (const ValidationError& e) {
    EXPECT_NE(std::string(e.what()).find(needle), std::string::npos) << e.what();
  }
}

TEST(ManifestTest, ParsesRealPg15Manifest)
{
  auto text = real_pg15_manifest();
  auto manifest = parse_backup_manifest(text);
  EXPECT_EQ(manifest.version, 1);
  EXPECT_FALSE(manifest.system_identifier);
  EXPECT_TRUE(manifest.manifest_checksum_ok);
  EXPECT_EQ(manifest.manifest_checksum,
            "94326b062a9f0a291d7a3bae5de1756b41d8bb68da310a19bd5e43f67982f179");
  ASSERT_EQ(manifest.files.size(), 965u);

  const auto& label = manifest.files.front();
  EXPECT_EQ(label.path, "backup_label");
  EXPECT_EQ(label.size, 225u);
  EXPECT_EQ(label.last_modified, "2026-11-22 01:10:25 GMT");
  EXPECT_EQ(label.checksum_algorithm, "CRC32C");
  EXPECT_EQ(label.checksum, "4574a310");

  const auto& control = manifest.files.back();
  EXPECT_EQ(control.path, "global/pg_control");
  EXPECT_EQ(control.size, 8192u);
  EXPECT_EQ(control.checksum, "43872087");

  bool found_encoded = false;
  for (const auto& file : manifest.files) {
    if (file.path == "caf\xE9") {
      found_encoded = true;
      EXPECT_EQ(file.size, 1u);
      EXPECT_EQ(file.checksum, "935f3ca9");
    }
  }
  EXPECT_TRUE(found_encoded) << "Encoded-Path 636166e9 not decoded";

  ASSERT_EQ(manifest.wal_ranges.size(), 1u);
  EXPECT_EQ(manifest.wal_ranges[0].timeline, 1u);
  EXPECT_EQ(manifest.wal_ranges[0].start.str(), "0/7000028");
  EXPECT_EQ(manifest.wal_ranges[0].end.str(), "0/7000100");
}

TEST(ManifestTest, OneChangedByteBreaksTheChecksum)
{
  auto text = real_pg15_manifest();
  auto size = text.find("\"Size\": 225");
  ASSERT_NE(size, std::string::npos);
  text[size + 10] = '6'; // 225 -> 226: still valid JSON
  auto manifest = parse_backup_manifest(text);
  EXPECT_FALSE(manifest.manifest_checksum_ok);
  EXPECT_EQ(manifest.files.front().size, 226u);
}

TEST(ManifestTest, ChangedChecksumLineIsAMismatchNotAnError)
{
  auto text = real_pg15_manifest();
  auto at = text.find("94326b06");
  ASSERT_NE(at, std::string::npos);
  text[at] = 'a';
  EXPECT_FALSE(parse_backup_manifest(text).manifest_checksum_ok);
}

TEST(ManifestTest, ChecksumCoversBytesUpToThePenultimateNewline)
{
  auto text = with_checksum(v1_body(kLabelFile));
  EXPECT_TRUE(parse_backup_manifest(text).manifest_checksum_ok);
  // Whitespace is part of the checksummed bytes.
  auto spaced = text;
  spaced.insert(spaced.find("\"Files\""), " ");
  EXPECT_FALSE(parse_backup_manifest(spaced).manifest_checksum_ok);
}

TEST(ManifestTest, MustEndWithNewline)
{
  auto text = real_pg15_manifest();
  text.pop_back();
  expect_malformed(text, "newline");
}

TEST(ManifestTest, MustHaveTwoLines)
{
  expect_malformed(
      R"({"PostgreSQL-Backup-Manifest-Version": 1, "Files": [], "WAL-Ranges": [], "Manifest-Checksum": "0000000000000000000000000000000000000000000000000000000000000000"})"
      "\n",
      "2 lines");
}

TEST(ManifestTest, MalformedJsonIsAValidationError)
{
  expect_malformed("{ \"PostgreSQL-Backup-Manifest-Version\": 1,\n\"Files\": [\n", "JSON");
  expect_malformed("", "JSON");
  expect_malformed("[1, 2]\n\n", "object");
}

TEST(ManifestTest, MissingKeysAreValidationErrors)
{
  expect_malformed(
      with_checksum("{ \"PostgreSQL-Backup-Manifest-Version\": 1,\n\"WAL-Ranges\": [],\n"),
      "Files");
  expect_malformed(with_checksum("{ \"PostgreSQL-Backup-Manifest-Version\": 1,\n\"Files\": [],\n"),
                   "WAL-Ranges");
  expect_malformed("{ \"PostgreSQL-Backup-Manifest-Version\": 1,\n\"Files\": [],\n"
                   "\"WAL-Ranges\": []}\n\n",
                   "Manifest-Checksum");
  expect_malformed(with_checksum(v1_body(R"({ "Size": 1 })")), "Path");
  expect_malformed(with_checksum(v1_body(R"({ "Path": "a" })")), "Size");
  expect_malformed(with_checksum(v1_body(kLabelFile, R"({ "Timeline": 1, "Start-LSN": "0/1" })")),
                   "End-LSN");
}

TEST(ManifestTest, VersionMustComeFirstAndBeKnown)
{
  expect_malformed(with_checksum("{ \"Files\": [],\n\"PostgreSQL-Backup-Manifest-Version\": 1,\n"
                                 "\"WAL-Ranges\": [],\n"),
                   "first field");
  expect_malformed(with_checksum("{ \"PostgreSQL-Backup-Manifest-Version\": 3,\n\"Files\": [],\n"
                                 "\"WAL-Ranges\": [],\n"),
                   "Version 3");
  expect_malformed(
      with_checksum("{ \"PostgreSQL-Backup-Manifest-Version\": \"1\",\n\"Files\": [],\n"
                    "\"WAL-Ranges\": [],\n"),
      "non-negative integer");
}

TEST(ManifestTest, Version2HasSystemIdentifier)
{
  auto text = with_checksum("{ \"PostgreSQL-Backup-Manifest-Version\": 2,\n"
                            "\"System-Identifier\": 7710796964816674892,\n"
                            "\"Files\": [" +
                            kLabelFile + "\n],\n\"WAL-Ranges\": [\n],\n");
  auto manifest = parse_backup_manifest(text);
  EXPECT_EQ(manifest.version, 2);
  ASSERT_TRUE(manifest.system_identifier);
  EXPECT_EQ(*manifest.system_identifier, 7710796964816674892ull);
  EXPECT_TRUE(manifest.manifest_checksum_ok);
  // Above INT64_MAX still fits a uint64.
  auto big = with_checksum("{ \"PostgreSQL-Backup-Manifest-Version\": 2,\n"
                           "\"System-Identifier\": 18446744073709551615,\n"
                           "\"Files\": [],\n\"WAL-Ranges\": [],\n");
  EXPECT_EQ(*parse_backup_manifest(big).system_identifier, 18446744073709551615ull);
}

TEST(ManifestTest, SystemIdentifierBelongsToVersion2Only)
{
  expect_malformed(with_checksum("{ \"PostgreSQL-Backup-Manifest-Version\": 2,\n\"Files\": [],\n"
                                 "\"WAL-Ranges\": [],\n"),
                   "System-Identifier");
  expect_malformed(
      with_checksum("{ \"PostgreSQL-Backup-Manifest-Version\": 1,\n"
                    "\"System-Identifier\": 1,\n\"Files\": [],\n\"WAL-Ranges\": [],\n"),
      "System-Identifier");
}

TEST(ManifestTest, DuplicatePathsAreValidationErrors)
{
  expect_malformed(with_checksum(v1_body(kLabelFile + "," + kLabelFile)), "duplicate path");
  // The same name spelled as Encoded-Path ("backup_label" in hex).
  expect_malformed(with_checksum(v1_body(kLabelFile + R"(,
{ "Encoded-Path": "6261636b75705f6c6162656c", "Size": 1 })")),
                   "duplicate path \"backup_label\"");
}

TEST(ManifestTest, EncodedPath)
{
  auto manifest = parse_backup_manifest(
      with_checksum(v1_body(R"({ "Encoded-Path": "706731305CFF", "Size": 5 })")));
  ASSERT_EQ(manifest.files.size(), 1u);
  EXPECT_EQ(manifest.files[0].path, std::string("pg10\\\xFF"));
  expect_malformed(with_checksum(v1_body(R"({ "Encoded-Path": "6g", "Size": 5 })")), "hex");
  expect_malformed(with_checksum(v1_body(R"({ "Encoded-Path": "616", "Size": 5 })")), "hex");
  expect_malformed(with_checksum(v1_body(R"({ "Path": "a", "Encoded-Path": "61", "Size": 5 })")),
                   "exactly one");
}

TEST(ManifestTest, ChecksumAlgorithms)
{
  std::string sha224(56, 'a'), sha256(64, 'B'), sha384(96, 'c'), sha512(128, 'd');
  auto manifest = parse_backup_manifest(with_checksum(v1_body(
      R"({ "Path": "a", "Size": 1, "Checksum-Algorithm": "SHA224", "Checksum": ")" + sha224 +
      R"(" },
{ "Path": "b", "Size": 1, "Checksum-Algorithm": "SHA256", "Checksum": ")" +
      sha256 + R"(" },
{ "Path": "c", "Size": 1, "Checksum-Algorithm": "sha384", "Checksum": ")" +
      sha384 + R"(" },
{ "Path": "d", "Size": 1, "Checksum-Algorithm": "SHA512", "Checksum": ")" +
      sha512 + R"(" },
{ "Path": "e", "Size": 1, "Checksum-Algorithm": "CRC32C", "Checksum": "0A0B0C0D" },
{ "Path": "f", "Size": 0, "Last-Modified": "2026-11-22 01:10:25 GMT" },
{ "Path": "g", "Size": 0, "Checksum-Algorithm": "NONE" })")));
  ASSERT_EQ(manifest.files.size(), 7u);
  EXPECT_EQ(manifest.files[0].checksum_algorithm, "SHA224");
  EXPECT_EQ(manifest.files[1].checksum_algorithm, "SHA256");
  EXPECT_EQ(manifest.files[1].checksum, std::string(64, 'b')); // lowercased
  EXPECT_EQ(manifest.files[2].checksum_algorithm, "SHA384");   // canonical spelling
  EXPECT_EQ(manifest.files[3].checksum_algorithm, "SHA512");
  EXPECT_EQ(manifest.files[4].checksum_algorithm, "CRC32C");
  EXPECT_EQ(manifest.files[4].checksum, "0a0b0c0d");
  for (std::size_t i : {5u, 6u}) {
    EXPECT_EQ(manifest.files[i].checksum_algorithm, "");
    EXPECT_EQ(manifest.files[i].checksum, "");
  }
}

TEST(ManifestTest, BadChecksumsAreValidationErrors)
{
  expect_malformed(
      with_checksum(
          v1_body(R"({ "Path": "a", "Size": 1, "Checksum-Algorithm": "MD5", "Checksum": "00" })")),
      "MD5");
  expect_malformed(
      with_checksum(v1_body(
          R"({ "Path": "a", "Size": 1, "Checksum-Algorithm": "CRC32C", "Checksum": "0a0b0c" })")),
      "8 hex digits");
  expect_malformed(
      with_checksum(v1_body(
          R"({ "Path": "a", "Size": 1, "Checksum-Algorithm": "CRC32C", "Checksum": "0a0b0c0z" })")),
      "hex");
  expect_malformed(with_checksum(v1_body(R"({ "Path": "a", "Size": 1, "Checksum": "0a0b0c0d" })")),
                   "no Checksum-Algorithm");
  expect_malformed(
      with_checksum(v1_body(R"({ "Path": "a", "Size": 1, "Checksum-Algorithm": "CRC32C" })")),
      "Checksum");
}

TEST(ManifestTest, BadValuesAreValidationErrors)
{
  expect_malformed(with_checksum(v1_body(R"({ "Path": "a", "Size": -1 })")), "non-negative");
  expect_malformed(with_checksum(v1_body(R"({ "Path": "a", "Size": 1.5 })")), "non-negative");
  expect_malformed(with_checksum(v1_body(R"({ "Path": "a", "Size": "12" })")), "non-negative");
  expect_malformed(with_checksum(v1_body(R"({ "Path": "a", "Size": 1, "Mode": 384 })")), "Mode");
  expect_malformed(
      with_checksum(v1_body("", R"({ "Timeline": 1, "Start-LSN": "zz", "End-LSN": "0/1" })")),
      "Start-LSN");
  expect_malformed(
      with_checksum(v1_body("", R"({ "Timeline": 0, "Start-LSN": "0/1", "End-LSN": "0/2" })")),
      "Timeline");
  expect_malformed(
      with_checksum(v1_body("", R"({ "Timeline": 1, "Start-LSN": "0/2", "End-LSN": "0/1" })")),
      "before");
}

TEST(ManifestTest, WalRangesKeepTheirOrder)
{
  auto manifest = parse_backup_manifest(with_checksum(v1_body(kLabelFile, R"(
{ "Timeline": 3, "Start-LSN": "0/5000000", "End-LSN": "0/5000100" },
{ "Timeline": 2, "Start-LSN": "0/3000028", "End-LSN": "0/5000000" })")));
  ASSERT_EQ(manifest.wal_ranges.size(), 2u);
  EXPECT_EQ(manifest.wal_ranges[0].timeline, 3u);
  EXPECT_EQ(manifest.wal_ranges[1].timeline, 2u);
  EXPECT_EQ(manifest.wal_ranges[1].start.str(), "0/3000028");
  EXPECT_EQ(manifest.wal_ranges[1].end.str(), "0/5000000");
}

} // namespace
} // namespace lastgood::pg
