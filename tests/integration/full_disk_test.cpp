// A real full disk: the repository on a tmpfs mounted with a size limit, so
// that `lastgood backup` runs out of space for real (ENOSPC from the kernel,
// not injected). The backup fails with a clear message, leaves no file that
// looks finished, catalogs nothing, and the next backup after space is freed
// succeeds; `wal-fetch` into a full pg_wal leaves nothing and works once there
// is room. Needs mount(2) (root with CAP_SYS_ADMIN); skipped elsewhere.

#include "catalog/backup_queries.hpp"
#include "catalog/catalog.hpp"
#include "pg/pg_connection.hpp"
#include "pg/scratch_cluster.hpp"
#include "storage/temp_files.hpp"
#include "tests/support/run_command.hpp"
#include "tests/support/temp_dir.hpp"

#include <filesystem>
#include <fstream>
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>
#include <pqxx/pqxx>

namespace lastgood {
namespace {

namespace fs = std::filesystem;
using nlohmann::json;
using testing::shell_quote;
using testing::TempDir;

bool contains(const std::string& text, std::string_view part)
{
  return text.find(part) != std::string::npos;
}

class FullDisk : public ::testing::Test
{
protected:
  void SetUp() override
  {
    if (testing::artifacts_dir().empty())
      GTEST_SKIP() << "LASTGOOD_ARTIFACTS not set (run through ctest)";
    const auto mounted = testing::run_shell("mount -t tmpfs -o size=3m,mode=0777 lastgood-test " +
                                            shell_quote(m_mount.path().string()) + " 2>&1");
    if (mounted.exit_code != 0)
      GTEST_SKIP() << "cannot mount a size-limited tmpfs here (needs root with CAP_SYS_ADMIN): "
                   << mounted.out;
    m_mounted = true;
    m_catalog_path = (m_home.path() / "catalog.db").string();
  }
  void start_source()
  {
    m_cluster = pg::ScratchCluster::start({});
    {
      auto conn = pg::connect(m_cluster->conninfo("postgres"));
      pqxx::nontransaction(*conn).exec("CREATE DATABASE bulky");
    }
    // About 0.8 MB as a custom-format dump: md5 text hardly compresses.
    auto conn = pg::connect(m_cluster->conninfo("bulky"));
    pqxx::nontransaction(*conn).exec(
        "CREATE TABLE t (id int PRIMARY KEY, v text); INSERT INTO t SELECT g, md5(g::text) || "
        "md5((g * 7)::text) FROM generate_series(1, 20000) g");
  }
  void TearDown() override
  {
    m_cluster.reset();
    if (m_mounted) testing::run_shell("umount " + shell_quote(m_mount.path().string()));
  }
  testing::CommandResult lastgood(const std::string& args)
  {
    return testing::run_lastgood("--catalog " + shell_quote(m_catalog_path) + " " + args);
  }
  std::vector<std::string> files()
  {
    std::vector<std::string> out;
    for (const auto& e : fs::recursive_directory_iterator(m_mount.path()))
      if (e.is_regular_file()) out.push_back(fs::relative(e.path(), m_mount.path()).string());
    return out;
  }
  std::size_t backups()
  {
    auto db = catalog::Catalog::open(m_catalog_path);
    return catalog::list_backups(db->db(), {}).size();
  }

  TempDir m_home, m_mount, m_repo;
  bool m_mounted = false;
  std::string m_catalog_path;
  std::unique_ptr<pg::ScratchCluster> m_cluster;
};

TEST_F(FullDisk, BackupFillingTheDiskFailsCleanlyAndTheNextOneAfterFreeingSpaceSucceeds)
{
  start_source();
  ASSERT_EQ(lastgood("repo add small " + shell_quote(m_mount.path().string())).exit_code, 0);
  // Leave about half a megabyte free: less than the dump needs.
  const fs::path filler = m_mount.path() / "filler";
  {
    std::ofstream out(filler, std::ios::binary);
    out << std::string(2'500'000, 'x');
    ASSERT_TRUE(out.flush()) << "could not write the filler";
  }
  const std::string backup =
      "backup --repo small --dbname " + shell_quote(m_cluster->conninfo("bulky"));
  auto full = lastgood(backup);
  EXPECT_EQ(full.exit_code, 1) << full.out << full.err;
  EXPECT_TRUE(contains(full.err, "cannot write 'bulky/")) << full.err;
  EXPECT_TRUE(contains(full.err, "no space left on device")) << full.err;
  EXPECT_TRUE(contains(full.err, "free space on that file system")) << full.err;
  EXPECT_TRUE(contains(full.err, "nothing was cataloged; run the backup again")) << full.err;
  EXPECT_FALSE(contains(full.err, "injected")) << "this disk is really full: " << full.err;
  for (const auto& file : files())
    EXPECT_TRUE(file == "filler" ||
                storage::temp_file_owner(fs::path(file).filename().string()).has_value())
        << "left under a final name on the full disk: " << file;
  EXPECT_EQ(backups(), 0u);
  auto checked = lastgood("catalog check --json");
  EXPECT_EQ(checked.exit_code, 0) << checked.out << checked.err;

  fs::remove(filler);
  auto freed = lastgood(backup + " --json");
  ASSERT_EQ(freed.exit_code, 0) << freed.out << freed.err;
  const auto taken = json::parse(freed.out);
  EXPECT_EQ(fs::file_size(m_mount.path() / taken["key"].get<std::string>()),
            taken["size"].get<std::uint64_t>());
  EXPECT_EQ(backups(), 1u);
  auto verified =
      lastgood("verify " + taken["backup_id"].get<std::string>() + " --level checksum --json");
  EXPECT_EQ(verified.exit_code, 0) << verified.out << verified.err;
  checked = lastgood("catalog check");
  EXPECT_EQ(checked.exit_code, 0) << checked.out << checked.err;
}

// pg_wal on a full disk: a 16 MiB segment does not fit in 3 MiB.
TEST_F(FullDisk, WalFetchIntoAFullDiskLeavesNothingAndWorksOnceThereIsRoom)
{
  const std::string segment = "000000010000000000000002";
  m_repo.write("wal/" + segment,
               testing::read_file(testing::artifacts_dir() / "repo/wal" / segment));
  ASSERT_EQ(lastgood("repo add archive " + shell_quote(m_repo.path().string())).exit_code, 0);
  ASSERT_EQ(lastgood("scan --rehash -q").exit_code, 0);
  const auto dest = (m_mount.path() / segment).string();
  auto full = lastgood("wal-fetch " + segment + " " + shell_quote(dest));
  EXPECT_EQ(full.exit_code, 1) << full.out << full.err;
  EXPECT_TRUE(contains(full.err, "cannot write " + dest)) << full.err;
  EXPECT_TRUE(contains(full.err, "no space left on device")) << full.err;
  EXPECT_TRUE(contains(full.err, "nothing was left at " + dest)) << full.err;
  EXPECT_TRUE(contains(full.err, "Free space on the file system")) << full.err;
  EXPECT_TRUE(files().empty()) << "wal-fetch left " << files().front();

  ASSERT_EQ(testing::run_shell("mount -o remount,size=20m " + shell_quote(m_mount.path().string()))
                .exit_code,
            0);
  auto roomy = lastgood("wal-fetch " + segment + " " + shell_quote(dest));
  EXPECT_EQ(roomy.exit_code, 0) << roomy.out << roomy.err;
  EXPECT_EQ(fs::file_size(dest), 16u << 20);
}

} // namespace
} // namespace lastgood
