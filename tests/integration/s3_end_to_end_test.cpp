// The same commands on s3:// as on a directory, against a real S3 server
// (s3rver on loopback) and real PostgreSQL: scan catalogs the same backups
// with the same checksums as a file repository holding the same bytes;
// backup, verify --level restore, pick and restore work through the bucket;
// the ETag, version id and object-lock retain-until reach the catalog.

#include "catalog/catalog.hpp"
#include "catalog/repositories.hpp"
#include "catalog/scanner.hpp"
#include "pg/pg_connection.hpp"
#include "pg/scratch_cluster.hpp"
#include "storage/s3_storage.hpp"
#include "tests/support/run_command.hpp"
#include "tests/support/s3_server.hpp"
#include "tests/support/temp_dir.hpp"
#include "tests/unit/storage/storage_test_helpers.hpp"

#include <filesystem>
#include <gtest/gtest.h>
#include <map>
#include <nlohmann/json.hpp>
#include <pqxx/pqxx>

namespace lastgood {
namespace {

namespace fs = std::filesystem;
using nlohmann::json;
using testing::S3Server;
using testing::shell_quote;
using testing::TempDir;

class S3EndToEnd : public ::testing::Test
{
protected:
  void SetUp() override
  {
    m_url = S3Server::shared().url(testing::unique_s3_prefix("e2e"));
    m_catalog = "--catalog " + shell_quote((m_home.path() / "catalog.db").string()) + " ";
  }
  testing::CommandResult lastgood(const std::string& args)
  {
    return testing::run_lastgood(m_catalog + args);
  }
  std::map<std::string, std::map<std::string, std::string>> objects(const std::string& repository)
  {
    auto db = catalog::Catalog::open((m_home.path() / "catalog.db").string());
    auto s = db->db().prepare(
        "SELECT o.key, coalesce(o.sha256, ''), o.kind, o.size, coalesce(o.etag, ''),"
        " coalesce(o.version_id, ''), coalesce(o.retain_until, ''), coalesce(o.problem, '')"
        " FROM objects o JOIN repositories r ON r.id = o.repository_id WHERE r.name = ?");
    s.bind(1, repository);
    std::map<std::string, std::map<std::string, std::string>> out;
    while (s.step())
      out[s.text(0)] = {{"sha256", s.text(1)},     {"kind", s.text(2)},
                        {"size", s.text(3)},       {"etag", s.text(4)},
                        {"version_id", s.text(5)}, {"retain_until", s.text(6)},
                        {"problem", s.text(7)}};
    return out;
  }

  TempDir m_home;
  std::string m_url, m_catalog;
};

TEST_F(S3EndToEnd, ScanFindsTheSameBackupsAsInAFileRepository)
{
  if (testing::artifacts_dir().empty())
    GTEST_SKIP() << "LASTGOOD_ARTIFACTS not set (run through ctest)";
  const fs::path source = testing::artifacts_dir() / "repo" / "dumps";
  TempDir files;
  auto bucket = storage::open_storage(m_url);
  std::size_t copied = 0;
  for (const auto& entry : fs::recursive_directory_iterator(source)) {
    if (!entry.is_regular_file()) continue;
    const std::string key = "dumps/" + fs::relative(entry.path(), source).string();
    const std::string bytes = testing::read_file(entry.path());
    files.write(key, bytes);
    storage::testing::put_object(*bucket, key, bytes);
    ++copied;
  }
  ASSERT_GT(copied, 5u);
  ASSERT_EQ(lastgood("repo add files " + shell_quote(files.path().string())).exit_code, 0);
  const auto added = lastgood("repo add bucket " + shell_quote(m_url));
  ASSERT_EQ(added.exit_code, 0) << added.err;
  const auto scan = lastgood("scan --json");
  ASSERT_EQ(scan.exit_code, 0) << scan.out << scan.err;

  // Every object: same checksum, kind, size and problem; S3 ones carry the ETag.
  const auto in_files = objects("files");
  const auto in_bucket = objects("bucket");
  ASSERT_EQ(in_files.size(), copied);
  ASSERT_EQ(in_bucket.size(), copied);
  for (const auto& [key, row] : in_files) {
    SCOPED_TRACE(key);
    ASSERT_EQ(in_bucket.count(key), 1u);
    const auto& s3_row = in_bucket.at(key);
    EXPECT_EQ(s3_row.at("sha256").size(), 64u);
    for (const char* field : {"sha256", "kind", "size", "problem"})
      EXPECT_EQ(s3_row.at(field), row.at(field)) << field;
    EXPECT_EQ(s3_row.at("etag").size(), 32u); // single-part upload: the MD5
    EXPECT_EQ(row.at("etag"), "");
  }

  // Same backups, apart from what comes from the file's time.
  const auto listed = lastgood("backups --json");
  ASSERT_EQ(listed.exit_code, 0) << listed.err;
  std::map<std::string, std::map<std::string, json>> by_repository;
  const json document = json::parse(listed.out);
  for (auto backup : document["backups"]) {
    const std::string repository = backup["repository"].get<std::string>();
    const std::string location = backup["location"].get<std::string>();
    for (const char* timeish : {"id", "repository", "start_time", "stop_time"})
      backup.erase(timeish);
    by_repository[repository][location] = backup;
  }
  ASSERT_FALSE(by_repository["files"].empty());
  EXPECT_EQ(by_repository["bucket"], by_repository["files"]);

  // A second scan reads nothing again.
  const auto again = lastgood("scan bucket --json");
  ASSERT_EQ(again.exit_code, 0) << again.err;
  EXPECT_EQ(json::parse(again.out)["repositories"][0]["unchanged"], copied);
}

TEST_F(S3EndToEnd, BackupVerifyPickAndRestoreThroughABucket)
{
  auto cluster = pg::ScratchCluster::start({});
  {
    auto conn = pg::connect(cluster->conninfo("postgres"));
    pqxx::nontransaction(*conn).exec("CREATE DATABASE shops3");
  }
  {
    auto conn = pg::connect(cluster->conninfo("shops3"));
    pqxx::nontransaction(*conn).exec(
        "CREATE TABLE items (id int PRIMARY KEY, name text);"
        "INSERT INTO items SELECT g, 'item ' || g FROM generate_series(1, 2345) g;");
  }
  ASSERT_EQ(lastgood("repo add bucket " + shell_quote(m_url)).exit_code, 0);
  const auto taken = lastgood("backup --repo bucket --dbname " +
                              shell_quote(cluster->conninfo("shops3")) + " --compress zstd --json");
  ASSERT_EQ(taken.exit_code, 0) << taken.out << taken.err;
  const auto backup = json::parse(taken.out);
  const std::string id = backup["backup_id"].get<std::string>();
  // The object is in the bucket, with the checksum the catalog has.
  auto bucket = storage::open_storage(m_url);
  const auto info = bucket->stat(backup["key"].get<std::string>());
  ASSERT_TRUE(info.has_value());
  EXPECT_EQ(info->size, backup["size"].get<std::uint64_t>());

  const auto scan = lastgood("scan bucket --json");
  ASSERT_EQ(scan.exit_code, 0) << scan.err;
  EXPECT_EQ(json::parse(scan.out)["repositories"][0]["unchanged"], 1);

  const auto verified = lastgood("verify " + id + " --level restore --json");
  ASSERT_EQ(verified.exit_code, 0) << verified.out << verified.err;
  const auto run = json::parse(verified.out)["runs"][0];
  EXPECT_EQ(run["outcome"], "pass") << run.dump(2);

  const auto checksum = lastgood("verify " + id + " --level checksum --json");
  ASSERT_EQ(checksum.exit_code, 0) << checksum.out << checksum.err;

  const auto picked = lastgood("pick --database shops3 --json");
  ASSERT_EQ(picked.exit_code, 0) << picked.out << picked.err;
  EXPECT_EQ(json::parse(picked.out)["backup"]["id"], id);

  const auto restored = lastgood("restore --last-good --database shops3 --as shops3_copy --to " +
                                 shell_quote(cluster->conninfo("postgres")));
  ASSERT_EQ(restored.exit_code, 0) << restored.out << restored.err;
  auto conn = pg::connect(cluster->conninfo("shops3_copy"));
  EXPECT_EQ(pqxx::nontransaction(*conn).exec1("SELECT count(*) FROM items")[0].as<std::int64_t>(),
            2345);
}

TEST_F(S3EndToEnd, VersionIdAndRetainUntilReachTheCatalog)
{
  auto opened = storage::open_s3_storage(m_url);
  auto& client = opened->client();
  const std::string body = "not a backup, but locked";
  const auto response =
      client.send("PUT", client.object_name("locked/file.txt"), {},
                  {{"x-amz-object-lock-mode", "COMPLIANCE"},
                   {"x-amz-object-lock-retain-until-date", "2030-01-02T03:04:05.000Z"}},
                  body, "test PUT");
  ASSERT_EQ(response.status, 200) << response.body;
  storage::testing::put_object(*opened, "plain/file.txt", "no lock here");

  const auto info = opened->stat("locked/file.txt");
  ASSERT_TRUE(info.has_value());
  EXPECT_EQ(info->retain_until, "2030-01-02T03:04:05Z");
  EXPECT_EQ(info->version_id.size(), 32u);

  ASSERT_EQ(lastgood("repo add bucket " + shell_quote(m_url)).exit_code, 0);
  const auto scan = lastgood("scan --json");
  ASSERT_EQ(scan.exit_code, 0) << scan.err;
  const auto rows = objects("bucket");
  ASSERT_EQ(rows.size(), 2u);
  EXPECT_EQ(rows.at("locked/file.txt").at("retain_until"), "2030-01-02T03:04:05Z");
  EXPECT_EQ(rows.at("locked/file.txt").at("version_id"), info->version_id);
  EXPECT_EQ(rows.at("locked/file.txt").at("etag"), info->etag);
  EXPECT_EQ(rows.at("plain/file.txt").at("retain_until"), "");
  EXPECT_EQ(rows.at("plain/file.txt").at("version_id"), "");
}

} // namespace
} // namespace lastgood
