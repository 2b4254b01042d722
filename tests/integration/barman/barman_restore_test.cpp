// A materialised Barman backup really starts: a scratch PostgreSQL recovers it
// with a restore_command reading the gzip'd segments Barman archived, and the
// rows committed before the backup (also in the tablespace) are there.

#include "formats/barman/materialise.hpp"
#include "formats/barman/server_directory.hpp"
#include "pg/pg_connection.hpp"
#include "pg/recovery_config.hpp"
#include "pg/scratch_cluster.hpp"
#include "storage/storage.hpp"

#include <cstdlib>
#include <fstream>
#include <gtest/gtest.h>
#include <pqxx/pqxx>
#include <unistd.h>

namespace lastgood::formats::barman {
namespace {

namespace fs = std::filesystem;

fs::path repo_dir()
{
  const char* dir = std::getenv("LASTGOOD_BARMAN_REPO");
  return dir && *dir ? fs::path(dir) : fs::path();
}

std::string expected(const std::string& key)
{
  std::ifstream in(repo_dir() / "expected.env");
  std::string line;
  while (std::getline(in, line))
    if (line.starts_with(key + "=")) return line.substr(key.size() + 1);
  return {};
}

void chown_tree(const fs::path& root, std::optional<std::pair<uid_t, gid_t>> owner)
{
  if (!owner) return;
  if (::lchown(root.c_str(), owner->first, owner->second) != 0)
    throw std::runtime_error("chown " + root.string());
  for (const auto& entry : fs::recursive_directory_iterator(root))
    if (::lchown(entry.path().c_str(), owner->first, owner->second) != 0)
      throw std::runtime_error("chown " + entry.path().string());
}

struct Restored
{
  long long items = 0;
  long long moved = 0;
};

Restored restore(const std::string& server_name, const std::string& id)
{
  auto storage = storage::open_storage((repo_dir() / "barman" / server_name).string());
  BarmanServer server = read_server_directory(*storage, "");
  auto info = std::find_if(server.backups.begin(), server.backups.end(),
                           [&](const BarmanBackupInfo& b) { return b.backup_id == id; });
  if (info == server.backups.end()) throw std::runtime_error("no backup " + id);

  pg::ScratchClusterOptions options;
  options.start_timeout = std::chrono::seconds(120);
  options.populate = [&](const std::string& data_dir,
                         std::optional<std::pair<uid_t, gid_t>> owner) {
    MaterialiseResult result = materialise_backup(*storage, server, *info, data_dir);
    if (!result.findings.empty()) throw std::runtime_error(result.findings[0].message);
    // The server's user reads the archive: a copy beside the data directory.
    fs::path wals = fs::path(data_dir).parent_path() / "barman-wals";
    fs::copy(repo_dir() / "barman" / server_name / "wals", wals, fs::copy_options::recursive);
    chown_tree(wals, owner);
    std::ofstream(fs::path(data_dir) / "pg_hba.conf") << "local all all trust\n";
    chown_tree(fs::path(data_dir).parent_path(), owner); // data, tablespaces, WAL copy
    pg::RecoverySettings recovery;
    recovery.restore_command =
        "f=%f; gunzip -c " + pg::shell_quote(wals.string()) + "/$(echo $f | cut -c1-16)/$f > %p";
    recovery.target_immediate = true;
    recovery.target_timeline = "current";
    pg::write_recovery_config(data_dir, recovery, owner);
  };
  auto cluster = pg::ScratchCluster::start(options);
  cluster->set_user("postgres"); // the source cluster's superuser
  auto connection = pg::connect(cluster->conninfo());
  pqxx::nontransaction tx(*connection);
  Restored restored;
  restored.items = tx.exec1("SELECT count(*) FROM items")[0].as<long long>();
  restored.moved = tx.exec1("SELECT count(*) FROM moved")[0].as<long long>();
  return restored;
}

TEST(BarmanRestore, MaterialisedBackupsRecoverWithTheirData)
{
  if (repo_dir().empty()) GTEST_SKIP() << "LASTGOOD_BARMAN_REPO is not set (ctest sets it)";
  Restored plain = restore("plain", expected("PLAIN1"));
  EXPECT_EQ(plain.items, 20000); // the second 10,000 rows came after this backup
  EXPECT_EQ(plain.moved, 5000);  // in the tablespace, restored as pg_tblspc/<oid>/
  Restored tar = restore("tar", expected("TAR1"));
  EXPECT_EQ(tar.items, 30000);
  EXPECT_EQ(tar.moved, 5000);
}

} // namespace
} // namespace lastgood::formats::barman
