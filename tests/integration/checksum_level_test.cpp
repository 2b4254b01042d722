// The checksum level against real pg_basebackup output (plain, tar, tar.gz,
// tar.zst) made by tests/fixtures/make-artifacts: every real backup passes,
// pg_verifybackup agrees, and a flipped byte in a relation file of a copy is
// caught both by the catalog's SHA-256 and by backup_manifest.

#include "catalog/backup_queries.hpp"
#include "catalog/catalog.hpp"
#include "catalog/repositories.hpp"
#include "catalog/scanner.hpp"
#include "storage/storage.hpp"
#include "tests/support/run_command.hpp"
#include "tests/support/temp_dir.hpp"
#include "verifier/checksum_level.hpp"

#include <filesystem>
#include <fstream>
#include <gtest/gtest.h>
#include <map>
#include <nlohmann/json.hpp>

namespace lastgood {
namespace {

namespace fs = std::filesystem;
using testing::TempDir;

// pg_verifybackup from PG_BINDIR, pg_config --bindir, or the newest install.
std::string pg_verifybackup()
{
  std::vector<std::string> dirs;
  if (const char* bindir = std::getenv("PG_BINDIR")) dirs.emplace_back(bindir);
  auto config = testing::run_shell("pg_config --bindir 2>/dev/null");
  if (config.exit_code == 0 && !config.out.empty())
    dirs.push_back(config.out.substr(0, config.out.find('\n')));
  for (int major = 20; major >= 13; --major)
    dirs.push_back("/usr/lib/postgresql/" + std::to_string(major) + "/bin");
  for (const auto& dir : dirs)
    if (fs::exists(fs::path(dir) / "pg_verifybackup"))
      return (fs::path(dir) / "pg_verifybackup").string();
  return {};
}

// A catalog of one repository, scanned.
struct ScannedRepo
{
  explicit ScannedRepo(const fs::path& root)
  {
    catalog = catalog::Catalog::open((home.path() / "catalog.db").string());
    auto repo = catalog::add_repository(catalog->db(), "r", root.string());
    storage = storage::open_storage(root.string());
    auto summary = catalog::scan_repository(catalog->db(), repo, *storage, {});
    for (const auto& p : summary.problems)
      ADD_FAILURE() << p.key << ": " << p.message;
  }
  catalog::BackupRow backup(const std::string& root_key)
  {
    for (auto& b : catalog::list_backups(catalog->db(), {}))
      if (b.root_key == root_key) return b;
    throw std::runtime_error("no backup at " + root_key);
  }
  verifier::Findings verify(const std::string& root_key, verifier::ChecksumStats& stats)
  {
    auto b = backup(root_key);
    return verifier::verify_checksums(*storage, b, catalog::backup_objects(catalog->db(), b.id), 2,
                                      &stats);
  }

  TempDir home;
  std::unique_ptr<catalog::Catalog> catalog;
  std::unique_ptr<storage::Storage> storage;
};

std::string describe(const verifier::Findings& findings)
{
  std::string out;
  for (const auto& f : findings.items())
    out += verifier::to_json(f).dump() + "\n";
  return out;
}

class ChecksumLevelArtifacts : public ::testing::Test
{
protected:
  static void SetUpTestSuite()
  {
    if (testing::artifacts_dir().empty()) return;
    s_expected =
        nlohmann::json::parse(testing::read_file(testing::artifacts_dir() / "expected.json"));
    s_repo = std::make_unique<ScannedRepo>(testing::artifacts_dir() / "repo");
  }
  static void TearDownTestSuite() { s_repo.reset(); }
  void SetUp() override
  {
    if (testing::artifacts_dir().empty())
      GTEST_SKIP() << "LASTGOOD_ARTIFACTS not set (run through ctest)";
  }

  static inline nlohmann::json s_expected;
  static inline std::unique_ptr<ScannedRepo> s_repo;
};

TEST_F(ChecksumLevelArtifacts, EveryRealBaseBackupPasses)
{
  int seen = 0;
  for (const auto& [name, expected] : s_expected["base_backups"].items()) {
    verifier::ChecksumStats stats;
    auto findings = s_repo->verify("base/" + name, stats);
    EXPECT_FALSE(findings.any(verifier::Severity::Failure)) << name << "\n" << describe(findings);
    EXPECT_FALSE(findings.any(verifier::Severity::Error)) << name << "\n" << describe(findings);
    EXPECT_TRUE(findings.items().empty()) << name << "\n" << describe(findings);
    EXPECT_GT(stats.manifest_files, 900u) << name; // a fresh cluster has ~1000 files
    EXPECT_GT(stats.bytes, 5u << 20) << name;
    ++seen;
  }
  EXPECT_GE(seen, 3);
}

TEST_F(ChecksumLevelArtifacts, PgVerifybackupAgreesOnPlain1)
{
  auto tool = pg_verifybackup();
  if (tool.empty()) GTEST_SKIP() << "pg_verifybackup not found";
  auto dir = testing::artifacts_dir() / "repo/base/plain-1";
  auto result =
      testing::run_shell(testing::shell_quote(tool) + " -n " + testing::shell_quote(dir.string()));
  EXPECT_EQ(result.exit_code, 0) << result.out << result.err;
  verifier::ChecksumStats stats;
  EXPECT_TRUE(s_repo->verify("base/plain-1", stats).items().empty());
}

TEST_F(ChecksumLevelArtifacts, FlippedByteInACopyIsCaughtTwice)
{
  TempDir copy;
  const fs::path root = copy.path() / "repo";
  fs::create_directories(root / "base");
  fs::copy(testing::artifacts_dir() / "repo/base/plain-1", root / "base/plain-1",
           fs::copy_options::recursive);
  ScannedRepo repo(root);

  // The largest relation file of the first database directory.
  fs::path victim;
  for (const auto& e : fs::recursive_directory_iterator(root / "base/plain-1/base"))
    if (e.is_regular_file() && (victim.empty() || e.file_size() > fs::file_size(victim)))
      victim = e.path();
  ASSERT_FALSE(victim.empty());
  const std::string key = fs::relative(victim, root).generic_string();
  {
    std::fstream f(victim, std::ios::in | std::ios::out | std::ios::binary);
    f.seekg(4096);
    char c = 0;
    f.get(c);
    f.seekp(4096);
    f.put(static_cast<char>(c ^ 0x40));
  }

  verifier::ChecksumStats stats;
  auto findings = repo.verify("base/plain-1", stats);
  std::map<std::string, std::string> failures; // kind -> subject
  for (const auto& f : findings.items()) {
    EXPECT_EQ(f.severity, verifier::Severity::Failure) << describe(findings);
    failures[f.kind] = f.subject;
  }
  EXPECT_EQ(findings.items().size(), 2u) << describe(findings);
  EXPECT_EQ(failures[verifier::finding_kind::checksum_mismatch], key);
  EXPECT_EQ(failures[verifier::finding_kind::manifest_mismatch], key);

  auto tool = pg_verifybackup();
  if (tool.empty()) return;
  auto result = testing::run_shell(testing::shell_quote(tool) + " -n " +
                                   testing::shell_quote((root / "base/plain-1").string()));
  EXPECT_NE(result.exit_code, 0) << "pg_verifybackup missed the flipped byte too";
  EXPECT_NE(result.err.find("checksum mismatch"), std::string::npos) << result.err;
}

} // namespace
} // namespace lastgood
