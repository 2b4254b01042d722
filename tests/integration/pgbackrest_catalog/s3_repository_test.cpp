// A pgBackRest repository on S3: the real fixture repositories of
// tests/fixtures/make-pgbackrest-repos uploaded, file by file, to a bucket on
// the loopback S3 server (s3rver). pgBackRest writes the same layout to S3 as
// to a directory, without the backup/<stanza>/latest symlink, so the upload
// leaves that link out. repo add recognises the stanza, scan catalogs the
// same facts as pgBackRest's own info, verify reads, materialises and
// wal-fetches through the bucket.

#include "storage/storage.hpp"
#include "tests/integration/pgbackrest/repos.hpp"
#include "tests/integration/pgbackrest_catalog/catalog_home.hpp"
#include "tests/support/run_command.hpp"
#include "tests/support/s3_server.hpp"
#include "tests/support/temp_dir.hpp"

#include <filesystem>
#include <fstream>
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>
#include <sstream>

namespace lastgood {
namespace {

namespace fs = std::filesystem;
using nlohmann::json;
using testing::run_lastgood;
using testing::S3Server;
using testing::shell_quote;
using testing::TempDir;

std::string read_bytes(const fs::path& path)
{
  std::ifstream in(path, std::ios::binary);
  std::ostringstream out;
  out << in.rdbuf();
  return out.str();
}

void put(storage::Storage& bucket, const std::string& key, const std::string& bytes)
{
  auto stream = bucket.write(key);
  stream->write(std::as_bytes(std::span(bytes)));
  stream->commit();
}

// Uploads every regular file of `repo` below the URL's prefix, as pgBackRest
// would have stored it on S3 (symlinks such as `latest` are not objects
// there). Returns how many objects were written.
std::size_t upload_repository(const fs::path& repo, const std::string& url)
{
  auto bucket = storage::open_storage(url);
  std::size_t uploaded = 0;
  for (auto it = fs::recursive_directory_iterator(repo); it != fs::recursive_directory_iterator();
       ++it) {
    if (it->is_symlink()) {
      it.disable_recursion_pending();
      continue;
    }
    if (!it->is_regular_file()) continue;
    put(*bucket, fs::relative(it->path(), repo).generic_string(), read_bytes(it->path()));
    ++uploaded;
  }
  return uploaded;
}

std::int64_t timeline_of(const std::string& segment)
{
  return std::stoll(segment.substr(0, 8), nullptr, 16);
}

class PgbackrestOnS3 : public testing::PgbackrestCatalogHome
{
protected:
  // A fixture repository uploaded to a fresh prefix and added as `name`.
  std::string add_uploaded(const std::string& fixture, const std::string& name)
  {
    const std::string url = S3Server::shared().url(testing::unique_s3_prefix("pgbr-" + name));
    EXPECT_GT(upload_repository(testing::pgbackrest_repo(fixture), url), 10u);
    auto added = lastgood("repo add " + name + " " + shell_quote(url));
    EXPECT_EQ(added.exit_code, 0) << added.out << added.err;
    return url;
  }
  std::string id_of(const std::string& repository, const std::string& label)
  {
    const auto listed = json_of("backups --json");
    for (const auto& b : listed["backups"])
      if (b["repository"] == repository && b["label"] == label) return b["id"];
    ADD_FAILURE() << "no backup " << label << " in " << repository;
    return "";
  }
  json verify(const std::string& id, const std::string& level, int exit_code)
  {
    auto runs = json_of("verify " + id + " --level " + level + " --json", exit_code)["runs"];
    return runs.empty() ? json::object() : runs[0];
  }
};

TEST_F(PgbackrestOnS3, CatalogedVerifiedAndTestRestoredThroughTheBucket)
{
  const auto& expected = testing::pgbackrest_expected();
  add_uploaded("plain", "plain");
  add_uploaded("gz", "gz");
  const auto repositories = json_of("repo list --json");
  ASSERT_EQ(repositories.size(), 2u);
  for (const auto& r : repositories) {
    EXPECT_EQ(r["format"], "pgbackrest") << r.dump();
    EXPECT_EQ(r["stanza"], expected["stanza"]) << r.dump();
  }
  auto scan = json_of("scan --json");
  EXPECT_TRUE(scan["clean"].get<bool>()) << scan.dump(2);

  const auto backups = json_of("backups --json")["backups"];
  ASSERT_EQ(backups.size(),
            expected["repos"]["plain"]["labels"].size() + expected["repos"]["gz"]["labels"].size())
      << backups.dump(2);
  for (const auto& b : backups) {
    SCOPED_TRACE(b.dump(2));
    const auto& e = expected["repos"][b["repository"].get<std::string>()]["backups"].at(
        b["label"].get<std::string>());
    EXPECT_EQ(b["format"], "pgbackrest");
    EXPECT_EQ(b["location"], "backup/" + expected["stanza"].get<std::string>() + "/" +
                                 b["label"].get<std::string>());
    EXPECT_EQ(b["system_identifier"], expected["system_identifier"]);
    EXPECT_EQ(b["backup_type"], e["type"]);
    EXPECT_EQ(b["prior"], e["prior"]);
    EXPECT_EQ(b["start_lsn"], e["lsn_start"]);
    EXPECT_EQ(b["stop_lsn"], e["lsn_stop"]);
    EXPECT_EQ(b["timeline"], timeline_of(e["archive_start"]));
    EXPECT_EQ(b["stop_timeline"], timeline_of(e["archive_stop"]));
    EXPECT_TRUE(b["problem"].is_null());
  }

  // Structure of each repository's last backup, an incr: its own files and
  // those of the backups it references (each read costs an S3 GET, hence
  // not every backup here; the directory tests cover every one).
  for (const std::string name : {"plain", "gz"}) {
    const auto label = testing::pgbackrest_labels(name).back();
    SCOPED_TRACE(name + " " + label);
    auto run = verify(id_of(name, label), "structure", 0);
    EXPECT_EQ(run["outcome"], "pass") << run.dump(2);
    EXPECT_TRUE(run["findings"].empty()) << run.dump(2);
  }

  // The incr: materialised from the full, diff and incr through the bucket,
  // started with wal-fetch reading the archive through the bucket (the
  // fixture's backups hold no pg_wal files: consistency at the backup's
  // stop LSN needs the archived segments).
  const auto incr = testing::pgbackrest_labels("plain").back();
  auto run = verify(id_of("plain", incr), "restore", 0);
  EXPECT_EQ(run["level"], "restore") << run.dump(2);
  EXPECT_EQ(run["outcome"], "pass") << run.dump(2);
  EXPECT_EQ(run["recovery_point"]["consistent_at"],
            expected["repos"]["plain"]["backups"][incr]["lsn_stop"])
      << run.dump(2);
  EXPECT_EQ(json_of("show " + id_of("plain", incr) + " --json")["status"], "good");
}

TEST_F(PgbackrestOnS3, AFlippedByteInAStoredFileMakesTheBackupBad)
{
  const std::string stanza = testing::pgbackrest_expected()["stanza"];
  const auto full = testing::pgbackrest_labels("plain").front();
  const std::string url = add_uploaded("plain", "damaged");
  // Damaged in the bucket before the scan: only the manifest's SHA-1,
  // checked while materialising, can tell.
  const std::string key = "backup/" + stanza + "/" + full + "/pg_data/base/5/1255";
  std::string bytes = read_bytes(testing::pgbackrest_repo("plain") / key);
  ASSERT_GT(bytes.size(), 9000u);
  bytes[9000] = static_cast<char>(bytes[9000] ^ 0x01);
  put(*storage::open_storage(url), key, bytes);
  ASSERT_EQ(lastgood("scan -q").exit_code, 0);

  const auto id = id_of("damaged", full);
  auto run = verify(id, "restore", 3);
  EXPECT_EQ(run["outcome"], "fail") << run.dump(2);
  EXPECT_NE(run.dump().find(key), std::string::npos) << run.dump(2);
  EXPECT_EQ(json_of("show " + id + " --json")["status"], "bad");
}

} // namespace
} // namespace lastgood
