// wal-fetch against a real catalog file: segments (plain and zstd) and
// history files are copied checked; missing files are an answer, not an
// error; bytes that differ from the catalog never reach DEST.

#include "catalog/catalog.hpp"
#include "common/error.hpp"
#include "common/sha256.hpp"
#include "restore/wal_fetch.hpp"
#include "tests/support/temp_dir.hpp"

#include <cstring>
#include <filesystem>
#include <gtest/gtest.h>
#include <zstd.h>

namespace lastgood::restore {
namespace {

namespace fs = std::filesystem;
constexpr std::uint64_t kSegment = 1 << 20;

// A 1 MiB segment 000000010000000000000003 whose long page header names `sysid`.
std::string segment_bytes(char seed, std::uint64_t sysid = 7000, std::uint64_t segno = 3)
{
  std::string bytes(kSegment, seed);
  auto put = [&](std::size_t offset, auto value) {
    std::memcpy(bytes.data() + offset, &value, sizeof value);
  };
  put(0, std::uint16_t{0xD110}); // PostgreSQL 15
  put(2, std::uint16_t{0x0002}); // long header
  put(4, std::uint32_t{1});
  put(8, std::uint64_t{segno * kSegment});
  put(16, std::uint32_t{0});
  put(20, std::uint32_t{0});
  put(24, sysid);
  put(32, static_cast<std::uint32_t>(kSegment));
  put(36, std::uint32_t{8192});
  return bytes;
}

std::string zstd(const std::string& data)
{
  std::string out(ZSTD_compressBound(data.size()), '\0');
  out.resize(ZSTD_compress(out.data(), out.size(), data.data(), data.size(), 3));
  return out;
}

class WalFetch : public ::testing::Test
{
protected:
  WalFetch()
  {
    m_catalog = catalog::Catalog::open((m_dir.path() / "catalog.db").string());
    db().prepare("INSERT INTO repositories (name, url, created_at) VALUES ('arch', ?, "
                 "'2026-01-01T00:00:00Z')")
        .bind_all((m_dir.path() / "repo").string())
        .run();
    db().exec("INSERT INTO clusters (system_identifier, first_seen) VALUES ('7000', "
              "'2026-01-01T00:00:00Z')");
  }
  catalog::Database& db() { return m_catalog->db(); }

  // Stores `stored` under key and catalogs it with the SHA-256 of `cataloged`.
  std::int64_t add_object(const std::string& key, const std::string& stored,
                          const std::string& cataloged, const std::string& kind)
  {
    m_dir.write("repo/" + key, stored);
    db().prepare(
            "INSERT INTO objects (repository_id, key, size, sha256, kind, first_seen, last_seen)"
            " VALUES (1, ?, ?, ?, ?, '2026-01-01T00:00:00Z', '2026-01-01T00:00:00Z')")
        .bind_all(key, static_cast<std::int64_t>(cataloged.size()), Sha256::of(cataloged), kind)
        .run();
    return db().last_insert_id();
  }
  void add_segment(const std::string& name, const std::string& stored,
                   const std::string& compression, const std::string& cataloged)
  {
    auto id = add_object("wal/" + name + (compression.empty() ? "" : "." + compression), stored,
                         cataloged, "wal_segment");
    db().prepare("INSERT INTO wal_segments (object_id, cluster_id, timeline, segno, segment_size, "
                 "name, compression)"
                 " VALUES (?, 1, 1, 3, ?, ?, ?)")
        .bind_all(id, static_cast<std::int64_t>(kSegment), name, compression)
        .run();
  }
  WalFetchResult fetch(const std::string& name)
  {
    return wal_fetch(db(), {name, dest().string(), std::nullopt});
  }
  fs::path dest() const { return m_dir.path() / "pg_wal" / "RECOVERYXLOG"; }
  std::size_t files_in_dest_dir() const
  {
    return static_cast<std::size_t>(
        std::distance(fs::directory_iterator(dest().parent_path()), {}));
  }

  testing::TempDir m_dir;
  std::unique_ptr<catalog::Catalog> m_catalog;
  void SetUp() override { fs::create_directories(dest().parent_path()); }
};

TEST_F(WalFetch, CopiesAPlainSegment)
{
  const auto bytes = segment_bytes('a');
  add_segment("000000010000000000000003", bytes, "", bytes);
  auto result = fetch("000000010000000000000003");
  EXPECT_EQ(result.outcome, WalFetchOutcome::Fetched);
  EXPECT_EQ(result.key, "wal/000000010000000000000003");
  EXPECT_EQ(testing::read_file(dest()), bytes);
  EXPECT_EQ(files_in_dest_dir(), 1u);
}

TEST_F(WalFetch, DecompressesAZstdSegment)
{
  const auto bytes = segment_bytes('b');
  const auto packed = zstd(bytes);
  add_segment("000000010000000000000003", packed, "zst", packed);
  auto result = fetch("000000010000000000000003");
  EXPECT_EQ(result.outcome, WalFetchOutcome::Fetched);
  EXPECT_EQ(result.bytes, kSegment);
  EXPECT_EQ(testing::read_file(dest()), bytes);
}

TEST_F(WalFetch, MissingFileIsNotInArchiveAndWritesNothing)
{
  add_segment("000000010000000000000003", segment_bytes('a'), "", segment_bytes('a'));
  auto result = fetch("000000010000000000000004");
  EXPECT_EQ(result.outcome, WalFetchOutcome::NotInArchive);
  EXPECT_EQ(result.message, "000000010000000000000004 is not in the archive");
  EXPECT_EQ(files_in_dest_dir(), 0u);
  EXPECT_EQ(fetch("00000002.history").outcome, WalFetchOutcome::NotInArchive);
}

TEST_F(WalFetch, ChecksumMismatchIsRefusedAndDestNotCreated)
{
  auto stored = segment_bytes('a');
  auto cataloged = stored;
  cataloged[4096] = 'X'; // the archive's copy changed after it was cataloged
  add_segment("000000010000000000000003", stored, "", cataloged);
  EXPECT_THROW(fetch("000000010000000000000003"), ValidationError);
  EXPECT_EQ(files_in_dest_dir(), 0u) << "neither DEST nor a temporary file may remain";
}

TEST_F(WalFetch, TruncatedSegmentIsRefused)
{
  const std::string half(kSegment / 2, 'a');
  add_segment("000000010000000000000003", half, "",
              half); // the catalog agrees, but it is no segment
  EXPECT_THROW(fetch("000000010000000000000003"), ValidationError);
  EXPECT_EQ(files_in_dest_dir(), 0u);
}

TEST_F(WalFetch, MissingOrDeletedObjectsAreNotServed)
{
  add_segment("000000010000000000000003", segment_bytes('a'), "", segment_bytes('a'));
  db().exec("UPDATE objects SET deleted_at = '2026-01-02T00:00:00Z'");
  EXPECT_EQ(fetch("000000010000000000000003").outcome, WalFetchOutcome::NotInArchive);
}

TEST_F(WalFetch, HistoryFile)
{
  const std::string history = "1\t0/B028030\tno recovery target specified\n";
  add_object("wal/00000002.history", history, history, "wal_history");
  auto result = fetch("00000002.history");
  EXPECT_EQ(result.outcome, WalFetchOutcome::Fetched);
  EXPECT_EQ(testing::read_file(dest()), history);
}

TEST_F(WalFetch, OtherClustersSegmentIsNotServedForThisCluster)
{
  add_segment("000000010000000000000003", segment_bytes('a'), "", segment_bytes('a'));
  auto result = wal_fetch(db(), {"000000010000000000000003", dest().string(), std::string("8000")});
  EXPECT_EQ(result.outcome, WalFetchOutcome::NotInArchive);
  EXPECT_EQ(
      wal_fetch(db(), {"000000010000000000000003", dest().string(), std::string("7000")}).outcome,
      WalFetchOutcome::Fetched);
}

TEST_F(WalFetch, NamesPostgresNeverAsksForAreUsageErrors)
{
  EXPECT_THROW(fetch("../../etc/passwd"), UsageError);
  EXPECT_THROW(fetch("000000010000000000000003.partial"), UsageError);
}

TEST_F(WalFetch, ForeignOnlySegmentIsRefusedNamingBothClusters)
{
  add_segment("000000010000000000000003", segment_bytes('a'), "", segment_bytes('a'));
  auto result = wal_fetch(db(), {"000000010000000000000003", dest().string(), std::string("8000")});
  EXPECT_EQ(result.outcome, WalFetchOutcome::NotInArchive);
  ASSERT_TRUE(result.foreign_cluster);
  EXPECT_EQ(*result.foreign_cluster, "7000");
  EXPECT_NE(result.message.find("7000"), std::string::npos) << result.message;
  EXPECT_NE(result.message.find("8000"), std::string::npos) << result.message;
  EXPECT_EQ(files_in_dest_dir(), 0u);
}

TEST_F(WalFetch, BytesOfAnotherClusterNeverReachDest)
{
  // The catalog says cluster 7000, the bytes' page header says 9000.
  const auto bytes = segment_bytes('a', 9000);
  add_segment("000000010000000000000003", bytes, "", bytes);
  try {
    fetch("000000010000000000000003");
    ADD_FAILURE() << "served a segment whose header names another cluster";
  } catch (const Error& e) {
    EXPECT_EQ(e.exit_code(), kExitProblem);
    EXPECT_NE(std::string(e.what()).find("9000"), std::string::npos) << e.what();
  }
  EXPECT_EQ(files_in_dest_dir(), 0u) << "neither DEST nor a temporary file may remain";
}

TEST_F(WalFetch, RenamedSegmentIsRefused)
{
  const auto bytes = segment_bytes('a', 7000, 5); // segment 5's bytes under segment 3's name
  add_segment("000000010000000000000003", bytes, "", bytes);
  EXPECT_THROW(fetch("000000010000000000000003"), ValidationError);
  EXPECT_EQ(files_in_dest_dir(), 0u);
}

TEST_F(WalFetch, DataDirectoryNamesTheAskingCluster)
{
  // global/pg_control of cluster 8000 (an unknown layout: no CRC to check).
  std::string control(512, '\0');
  std::uint64_t sysid = 8000;
  std::memcpy(control.data(), &sysid, sizeof sysid);
  m_dir.write("pgdata/global/pg_control", control);
  add_segment("000000010000000000000003", segment_bytes('a'), "", segment_bytes('a'));
  WalFetchRequest request{"000000010000000000000003", dest().string(), std::nullopt,
                          (m_dir.path() / "pgdata").string()};
  auto result = wal_fetch(db(), request);
  EXPECT_EQ(result.outcome, WalFetchOutcome::NotInArchive);
  EXPECT_EQ(result.foreign_cluster, std::optional<std::string>("7000"));
  request.cluster = "7000"; // contradicts the data directory
  EXPECT_THROW(wal_fetch(db(), request), UsageError);
  EXPECT_EQ(files_in_dest_dir(), 0u);
}

} // namespace
} // namespace lastgood::restore
