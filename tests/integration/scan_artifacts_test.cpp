// Scanning real pg_dump, pg_basebackup and archived-WAL artifacts made by
// tests/fixtures/make-artifacts, checked against the facts it measured from
// the live cluster (expected.json).

#include <gtest/gtest.h>

#include <map>
#include <nlohmann/json.hpp>

#include "catalog/backup_queries.hpp"
#include "catalog/catalog.hpp"
#include "catalog/repositories.hpp"
#include "catalog/scanner.hpp"
#include "catalog/wal_summary.hpp"
#include "pg/lsn.hpp"
#include "storage/storage.hpp"
#include "tests/support/temp_dir.hpp"

namespace lastgood {
namespace {

using nlohmann::json;
using testing::TempDir;

class ArtifactScan : public ::testing::Test {
protected:
  static void SetUpTestSuite()
  {
    auto dir = testing::artifacts_dir();
    if (dir.empty()) return;
    s_expected = json::parse(testing::read_file(dir / "expected.json"));
    s_home = std::make_unique<TempDir>();
    s_catalog = catalog::Catalog::open((s_home->path() / "catalog.db").string());
    s_repo = catalog::add_repository(s_catalog->db(), "artifacts", (dir / "repo").string());
    auto storage = storage::open_storage((dir / "repo").string());
    s_first = catalog::scan_repository(s_catalog->db(), s_repo, *storage, {});
    s_second = catalog::scan_repository(s_catalog->db(), s_repo, *storage, {});
  }
  static void TearDownTestSuite()
  {
    s_catalog.reset();
    s_home.reset();
  }
  void SetUp() override
  {
    if (testing::artifacts_dir().empty()) GTEST_SKIP() << "LASTGOOD_ARTIFACTS not set (run through ctest)";
  }
  static std::map<std::string, catalog::BackupRow> backups_by_location()
  {
    std::map<std::string, catalog::BackupRow> out;
    for (auto& b : catalog::list_backups(s_catalog->db(), {})) out[b.root_key] = b;
    return out;
  }

  static inline json s_expected;
  static inline std::unique_ptr<TempDir> s_home;
  static inline std::unique_ptr<catalog::Catalog> s_catalog;
  static inline catalog::Repository s_repo;
  static inline catalog::ScanSummary s_first, s_second;
};

TEST_F(ArtifactScan, FirstScanIsCleanAndSecondHashesNothing)
{
  for (const auto& p : s_first.problems) ADD_FAILURE() << p.key << ": " << p.message;
  EXPECT_GT(s_first.new_objects, 100u);
  EXPECT_GT(s_first.bytes_hashed, 16u << 20);
  EXPECT_EQ(s_second.new_objects, 0u);
  EXPECT_EQ(s_second.changed, 0u);
  EXPECT_EQ(s_second.bytes_hashed, 0u);
  EXPECT_EQ(s_second.unchanged, s_first.new_objects);
}

TEST_F(ArtifactScan, EveryDumpIsABackupWithItsDatabaseAndFormat)
{
  auto backups = backups_by_location();
  for (const auto& [name, dump] : s_expected["dumps"].items()) {
    const std::string location = "dumps/" + name;
    ASSERT_TRUE(backups.count(location)) << "no backup for " << location;
    const auto& b = backups[location];
    EXPECT_EQ(b.kind, "logical");
    std::string format = dump["format"];
    EXPECT_EQ(b.format, format == "plain-cluster" ? "plain_cluster" : format) << location;
    if (!dump["database"].is_null()) {
      EXPECT_EQ(b.database.value_or(""), dump["database"].get<std::string>()) << location;
    }
    EXPECT_FALSE(b.problem) << location << ": " << b.problem.value_or("");
    if (format != "plain" && format != "plain-cluster") {
      EXPECT_EQ(b.server_version.value_or(""), s_expected["server_version"].get<std::string>()) << location;
      EXPECT_EQ(b.tool_version.value_or(""), s_expected["pg_dump_version"].get<std::string>()) << location;
    }
    EXPECT_TRUE(b.stop_time) << location;
  }
}

TEST_F(ArtifactScan, CustomDumpCompressionMatchesPgRestore)
{
  auto backups = backups_by_location();
  EXPECT_EQ(backups["dumps/shop.dump"].compression.value_or(""), "gzip");   // pg_restore: -1 (default)
  EXPECT_EQ(backups["dumps/shop-z.dump"].compression.value_or(""), "gzip:9");
  EXPECT_EQ(backups["dumps/shop.tar"].compression.value_or(""), "none");
}

TEST_F(ArtifactScan, BaseBackupsCarryLsnsTimelineAndCluster)
{
  auto backups = backups_by_location();
  for (const auto& [name, expected] : s_expected["base_backups"].items()) {
    const std::string location = "base/" + name;
    ASSERT_TRUE(backups.count(location)) << "no backup for " << location;
    const auto& b = backups[location];
    EXPECT_EQ(b.kind, "physical");
    EXPECT_EQ(b.format, expected["format"] == "tar" ? "base_tar" : "base_plain") << location;
    EXPECT_EQ(b.system_identifier.value_or(""), s_expected["system_identifier"].get<std::string>()) << location;
    ASSERT_TRUE(b.start_lsn && b.stop_lsn) << location;
    EXPECT_EQ(pg::Lsn{static_cast<std::uint64_t>(*b.start_lsn)}.str(), expected["start_lsn"]) << location;
    EXPECT_EQ(pg::Lsn{static_cast<std::uint64_t>(*b.stop_lsn)}.str(), expected["stop_lsn"]) << location;
    EXPECT_EQ(b.timeline.value_or(0), expected["start_timeline"].get<int>()) << location;
    EXPECT_EQ(b.stop_timeline.value_or(0), expected["stop_timeline"].get<int>()) << location;
    EXPECT_EQ(b.label.value_or(""), expected["label"].get<std::string>()) << location;
    EXPECT_TRUE(b.start_time && b.stop_time) << location;
    EXPECT_EQ(b.server_version.value_or(""), std::to_string(s_expected["server_version_num"].get<int>() / 10000));
    EXPECT_FALSE(b.problem) << location << ": " << b.problem.value_or("");
    EXPECT_EQ(b.objects_missing, 0);
  }
}

TEST_F(ArtifactScan, WalArchiveShowsBothTimelinesTheSwitchAndNoGaps)
{
  auto clusters = catalog::wal_summary(s_catalog->db(), std::nullopt);
  ASSERT_EQ(clusters.size(), 1u);
  const auto& c = clusters[0];
  EXPECT_EQ(c.system_identifier.value_or(""), s_expected["system_identifier"].get<std::string>());
  EXPECT_EQ(c.segment_size, s_expected["wal_segment_size"].get<std::uint64_t>());
  EXPECT_TRUE(c.problems.empty()) << c.problems.front();
  ASSERT_EQ(c.timelines.size(), 2u);
  EXPECT_EQ(c.timelines[0].timeline, 1u);
  EXPECT_EQ(c.timelines[0].partial_segments, s_expected["wal"]["partial_files"].size());
  EXPECT_TRUE(c.timelines[0].gaps.empty());
  ASSERT_EQ(c.timelines[0].ranges.size(), 1u);
  EXPECT_EQ(c.timelines[0].ranges[0].first_name, "000000010000000000000001");
  EXPECT_EQ(c.timelines[1].timeline, 2u);
  ASSERT_TRUE(c.timelines[1].parent && c.timelines[1].switch_lsn);
  EXPECT_EQ(*c.timelines[1].parent, 1u);
  EXPECT_EQ(pg::Lsn{*c.timelines[1].switch_lsn}.str(), s_expected["timelines"][1]["switch_lsn"]);
  EXPECT_TRUE(c.timelines[1].gaps.empty());
}

TEST_F(ArtifactScan, CompressedSegmentsAreReadThroughTheirCompression)
{
  auto s = s_catalog->db().prepare("SELECT ws.name, ws.compression, ws.header_pageaddr, c.system_identifier"
                                   " FROM wal_segments ws JOIN clusters c ON c.id = ws.cluster_id"
                                   " WHERE ws.compression <> '' ORDER BY ws.name");
  int seen = 0;
  while (s.step()) {
    ++seen;
    EXPECT_FALSE(s.is_null(2)) << s.text(0) << "." << s.text(1) << ": header not read";
    EXPECT_EQ(s.text(3), s_expected["system_identifier"].get<std::string>());
  }
  EXPECT_EQ(seen, static_cast<int>(s_expected["wal"]["gzip_files"].size() + s_expected["wal"]["zstd_files"].size()));
}

} // namespace
} // namespace lastgood
