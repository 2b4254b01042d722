#include "pg/crc32c.hpp"
#include "tests/support/temp_dir.hpp"

#include <filesystem>
#include <gtest/gtest.h>
#include <random>
#include <string>
#include <vector>

namespace lastgood::pg {
namespace {

std::span<const std::byte> bytes_of(std::string_view text)
{
  return std::as_bytes(std::span(text));
}

TEST(Crc32cTest, KnownAnswers)
{
  EXPECT_EQ(crc32c(""), 0u);
  EXPECT_EQ(crc32c("123456789"), 0xE3069283u);
  // RFC 3720 (iSCSI) B.4 test vectors.
  EXPECT_EQ(crc32c(std::string(32, '\0')), 0x8A9136AAu);
  EXPECT_EQ(crc32c(std::string(32, '\xFF')), 0x62A8AB43u);
  std::string ascending, descending;
  for (int i = 0; i < 32; ++i) {
    ascending.push_back(static_cast<char>(i));
    descending.push_back(static_cast<char>(31 - i));
  }
  EXPECT_EQ(crc32c(ascending), 0x46DD794Eu);
  EXPECT_EQ(crc32c(descending), 0x113FDB5Cu);
}

TEST(Crc32cTest, StreamingInPiecesEqualsOneShot)
{
  std::string data;
  for (int i = 0; i < 10000; ++i)
    data.push_back(static_cast<char>(i * 7 + 3));
  for (std::size_t piece : {1u, 3u, 7u, 8u, 9u, 64u, 4096u}) {
    Crc32c crc;
    for (std::size_t offset = 0; offset < data.size(); offset += piece)
      crc.update(std::string_view(data).substr(offset, piece));
    EXPECT_EQ(crc.value(), crc32c(data)) << "piece size " << piece;
  }
}

TEST(Crc32cTest, HardwareAndSoftwareAgreeOnRandomBuffers)
{
  if (!crc32c_hardware_available()) GTEST_SKIP() << "CPU has no SSE4.2";
  std::mt19937_64 rng(20261122);
  std::vector<std::byte> buffer(70000);
  for (auto& b : buffer)
    b = static_cast<std::byte>(rng());
  for (int round = 0; round < 500; ++round) {
    std::size_t offset = rng() % 64; // every alignment
    std::size_t length = rng() % (buffer.size() - offset);
    if (round < 64) length = static_cast<std::size_t>(round); // all the short tails
    auto slice = std::span<const std::byte>(buffer).subspan(offset, length);
    auto state = static_cast<std::uint32_t>(rng());
    ASSERT_EQ(crc32c_update_hardware(state, slice), crc32c_update_software(state, slice))
        << "offset " << offset << " length " << length;
  }
}

TEST(Crc32cTest, ManifestHexIsLittleEndianBytes)
{
  EXPECT_EQ(crc32c_manifest_hex(0x2247748Au), "8a744722");
  EXPECT_EQ(crc32c_manifest_hex(0), "00000000");
  Crc32c crc;
  crc.update("15\n");
  EXPECT_EQ(crc.manifest_hex(), "8a744722");
}

// File contents and the CRC32C checksums PostgreSQL 15's pg_basebackup wrote for
// them in the same backup's manifest (tests/unit/pg/data/backup_manifest_15.gz).
TEST(Crc32cTest, ReproducesRealPg15ManifestChecksums)
{
  EXPECT_EQ(crc32c_manifest_hex(crc32c("15\n")), "8a744722"); // PG_VERSION
  EXPECT_EQ(crc32c_manifest_hex(crc32c("x")), "935f3ca9");    // a file named caf\xe9
  const std::string backup_label = "START WAL LOCATION: 0/7000028 (file 000000010000000000000007)\n"
                                   "CHECKPOINT LOCATION: 0/7000060\n"
                                   "BACKUP METHOD: streamed\n"
                                   "BACKUP FROM: primary\n"
                                   "START TIME: 2026-11-22 01:10:25 UTC\n"
                                   "LABEL: pg_basebackup base backup\n"
                                   "START TIMELINE: 1\n";
  ASSERT_EQ(backup_label.size(), 225u);
  EXPECT_EQ(crc32c_manifest_hex(crc32c(backup_label)), "4574a310");

  auto pg_control = testing::read_file(std::filesystem::path(__FILE__).parent_path() / "data" /
                                       "pg_control_15.bin");
  ASSERT_EQ(pg_control.size(), 8192u);
  EXPECT_EQ(crc32c_manifest_hex(crc32c(pg_control)), "43872087");
  // Both implementations, not just the one this CPU picks.
  EXPECT_EQ(
      crc32c_manifest_hex(crc32c_update_software(0xFFFFFFFFu, bytes_of(pg_control)) ^ 0xFFFFFFFFu),
      "43872087");
}

} // namespace
} // namespace lastgood::pg

namespace lastgood::pg {
namespace {

TEST(Crc32cCombine, JoinsRangesChecksummedApart)
{
  std::string data(300000, '\0');
  for (std::size_t i = 0; i < data.size(); ++i)
    data[i] = static_cast<char>((i * 2654435761u) >> 13);
  const std::string_view all(data);
  for (std::size_t split : {0ul, 1ul, 7ul, 4096ul, 65537ul, 299999ul, 300000ul}) {
    EXPECT_EQ(
        crc32c_combine(crc32c(all.substr(0, split)), crc32c(all.substr(split)), all.size() - split),
        crc32c(all))
        << split;
  }
  // Three ranges, joined left to right.
  const auto a = all.substr(0, 1000), b = all.substr(1000, 200000), c = all.substr(201000);
  EXPECT_EQ(crc32c_combine(crc32c_combine(crc32c(a), crc32c(b), b.size()), crc32c(c), c.size()),
            crc32c(all));
}

} // namespace
} // namespace lastgood::pg
