// check_pgbackrest_wal_range on an in-memory pgBackRest archive: a range that
// crosses a timeline switch passes; a missing segment, another cluster's
// segment, a segment that is not its name's SHA-1 and a truncated one are
// failures naming the segment.

#include "formats/pgbackrest/sha1.hpp"
#include "storage/memory_storage.hpp"
#include "verifier/pgbackrest_wal_range.hpp"

#include <cstdio>
#include <gtest/gtest.h>
#include <span>
#include <string>

namespace lastgood::verifier {
namespace {

namespace pgbr = formats::pgbackrest;

constexpr std::uint64_t kSegmentSize = 1u << 20;
constexpr std::uint64_t kSystemId = 7712390034128101895ull;

void put_le(std::string& bytes, std::size_t offset, std::uint64_t value, std::size_t width)
{
  for (std::size_t i = 0; i < width; ++i)
    bytes[offset + i] = static_cast<char>((value >> (8 * i)) & 0xFF);
}

// A segment whose first page is a long header (PostgreSQL 15's magic).
std::string segment(std::uint32_t header_timeline, std::uint64_t segno,
                    std::uint64_t system_id = kSystemId)
{
  std::string bytes(kSegmentSize, '\0');
  put_le(bytes, 0, 0xD110, 2);
  put_le(bytes, 2, 0x0002, 2);
  put_le(bytes, 4, header_timeline, 4);
  put_le(bytes, 8, segno * kSegmentSize, 8);
  put_le(bytes, 24, system_id, 8);
  put_le(bytes, 32, kSegmentSize, 4);
  put_le(bytes, 36, 8192, 4);
  for (std::size_t i = 64; i < bytes.size(); i += 4099)
    bytes[i] = static_cast<char>(segno + i);
  return bytes;
}

std::string name_of(std::uint32_t timeline, std::uint64_t segno)
{
  char text[25];
  std::snprintf(text, sizeof text, "%08X%08X%08X", timeline, 0u, static_cast<unsigned>(segno));
  return text;
}

class PgbackrestWalRange : public ::testing::Test
{
protected:
  PgbackrestWalRange() : m_repo("pgbr-wal-range")
  {
    storage::MemoryStorage::clear("pgbr-wal-range");
    m_archive.current = {1, kSystemId, "15"};
    m_manifest.label = "20261126-081219F";
    m_manifest.db_id = 1;
    m_manifest.system_id = kSystemId;
    m_manifest.pg_version = "15";
  }
  // Archives `bytes` as <name>-<sha1 of named_by> (pgBackRest's layout).
  std::string archive(const std::string& name, const std::string& bytes,
                      const std::string* named_by = nullptr)
  {
    const std::string key = "archive/demo/15-1/" + name.substr(0, 16) + "/" + name + "-" +
                            pgbr::Sha1::of(named_by ? *named_by : bytes);
    auto out = m_repo.write(key);
    out->write(std::as_bytes(std::span(bytes.data(), bytes.size())));
    out->commit();
    return key;
  }
  Findings check(const std::string& start, const std::string& stop)
  {
    m_manifest.archive_start = start;
    m_manifest.archive_stop = stop;
    return check_pgbackrest_wal_range(m_repo, "demo", m_archive, m_manifest, kSegmentSize);
  }
  static bool has(const Findings& findings, const std::string& kind, const std::string& subject,
                  const std::string& message)
  {
    for (const auto& f : findings.items())
      if (f.kind == kind && f.severity == Severity::Failure &&
          f.subject.find(subject) != std::string::npos &&
          f.message.find(message) != std::string::npos)
        return true;
    return false;
  }

  storage::MemoryStorage m_repo;
  pgbr::ArchiveInfo m_archive;
  pgbr::Manifest m_manifest;
};

TEST_F(PgbackrestWalRange, RangeAcrossATimelineSwitchPasses)
{
  archive(name_of(1, 5), segment(1, 5));
  archive(name_of(1, 6), segment(1, 6));
  // The new timeline's first segment begins as a copy of the old one's: its
  // first page still says timeline 1.
  archive(name_of(2, 6), segment(1, 6));
  archive(name_of(2, 7), segment(2, 7));
  auto findings = check(name_of(1, 5), name_of(2, 7));
  EXPECT_TRUE(findings.items().empty())
      << (findings.items().empty() ? "" : findings.items().front().message);
}

TEST_F(PgbackrestWalRange, MissingSegmentIsAFailureNamingIt)
{
  archive(name_of(1, 5), segment(1, 5));
  archive(name_of(1, 7), segment(1, 7));
  auto findings = check(name_of(1, 5), name_of(1, 7));
  ASSERT_EQ(findings.items().size(), 1u);
  EXPECT_TRUE(has(findings, "missing_wal", "archive/demo/15-1/0000000100000000/" + name_of(1, 6),
                  "WAL segment " + name_of(1, 6) + " is not in archive/demo/15-1"));
}

TEST_F(PgbackrestWalRange, DamagedForeignAndTruncatedSegmentsAreFailures)
{
  const auto good = segment(1, 5);
  std::string damaged = segment(1, 6);
  const std::string original = damaged;
  damaged[5000] ^= 1;
  const auto damaged_key = archive(name_of(1, 6), damaged, &original);
  const auto foreign_key = archive(name_of(1, 7), segment(1, 7, kSystemId + 1));
  const auto truncated = segment(1, 8).substr(0, kSegmentSize / 2);
  const auto truncated_key = archive(name_of(1, 8), truncated);
  const auto misplaced_key = archive(name_of(1, 9), segment(1, 3));
  const auto newer_key = archive(name_of(1, 10), segment(2, 10));
  archive(name_of(1, 5), good);
  auto findings = check(name_of(1, 5), name_of(1, 10));
  EXPECT_EQ(findings.items().size(), 5u);
  EXPECT_TRUE(has(findings, "checksum_mismatch", damaged_key, "its name says"));
  EXPECT_TRUE(has(findings, "checksum_mismatch", foreign_key, "another cluster's WAL"));
  EXPECT_TRUE(has(findings, "checksum_mismatch", truncated_key, "(truncated)"));
  EXPECT_TRUE(has(findings, "checksum_mismatch", misplaced_key, "renamed or damaged"));
  EXPECT_TRUE(has(findings, "checksum_mismatch", newer_key, "newer than its name's"));
}

TEST_F(PgbackrestWalRange, ArchiveOfAnotherDatabaseOrABadRangeIsAFailure)
{
  m_archive.current = {2, kSystemId + 1, "16"};
  auto findings = check(name_of(1, 5), name_of(1, 5));
  EXPECT_TRUE(has(findings, "manifest_invalid", "archive/demo/archive.info", "db-id 1"));
  m_archive.current = {1, kSystemId, "15"};
  findings = check(name_of(1, 6), name_of(1, 5));
  EXPECT_TRUE(has(findings, "manifest_invalid", "backup.manifest", "is not a WAL range"));
  findings = check("nonsense", name_of(1, 5));
  EXPECT_TRUE(has(findings, "manifest_invalid", "backup.manifest", "not a WAL segment name"));
}

} // namespace
} // namespace lastgood::verifier
