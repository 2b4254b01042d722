// Restores from S3 stream the dump into pg_restore (real s3rver on loopback,
// real PostgreSQL): a test restore and a restore --to of a custom dump give
// exactly the rows the same dump gives from a file repository, with no copy
// of the dump in TMPDIR; bytes changed on S3 after cataloging fail the
// restore with a checksum mismatch and leave no database behind; a stream
// cut by the fault proxy ends in an error, never a pass.

#include "catalog/catalog.hpp"
#include "pg/child_process.hpp"
#include "pg/pg_connection.hpp"
#include "pg/scratch_cluster.hpp"
#include "storage/storage.hpp"
#include "tests/support/run_command.hpp"
#include "tests/support/s3_server.hpp"
#include "tests/support/temp_dir.hpp"
#include "tests/unit/storage/storage_test_helpers.hpp"

#include <atomic>
#include <filesystem>
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>
#include <pqxx/pqxx>
#include <set>
#include <thread>

namespace lastgood {
namespace {

namespace fs = std::filesystem;
using nlohmann::json;
using testing::FaultProxy;
using testing::S3Server;
using testing::shell_quote;
using testing::TempDir;

constexpr const char* kKey = "dumps/streamed.dump";

// Watches a directory tree from a thread and remembers every file that looks
// like a copy of the dump: its name, or exactly its size.
class TempWatcher
{
public:
  TempWatcher(fs::path dir, std::uintmax_t dump_size)
      : m_dir(std::move(dir)), m_size(dump_size), m_thread([this] { watch(); })
  {
  }
  ~TempWatcher() { stop(); }
  std::set<std::string> stop()
  {
    m_stop = true;
    if (m_thread.joinable()) m_thread.join();
    return m_seen;
  }

private:
  void watch()
  {
    while (!m_stop) {
      std::error_code ec;
      for (fs::recursive_directory_iterator
               it(m_dir, fs::directory_options::skip_permission_denied, ec),
           end;
           !ec && it != end; it.increment(ec)) {
        std::error_code size_ec;
        const auto name = it->path().filename().string();
        if (name.find("streamed") != std::string::npos || name.starts_with("lastgood-copy") ||
            (m_size > 0 && it->is_regular_file(size_ec) &&
             fs::file_size(it->path(), size_ec) == m_size))
          m_seen.insert(it->path().string());
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(2));
    }
  }
  fs::path m_dir;
  std::uintmax_t m_size;
  std::atomic<bool> m_stop{false};
  std::set<std::string> m_seen;
  std::thread m_thread;
};

class S3StreamRestore : public ::testing::Test
{
protected:
  void SetUp() override
  {
    m_cluster = pg::ScratchCluster::start({});
    {
      auto conn = pg::connect(m_cluster->conninfo("postgres"));
      pqxx::nontransaction(*conn).exec("CREATE DATABASE streamsrc");
    }
    {
      auto conn = pg::connect(m_cluster->conninfo("streamsrc"));
      pqxx::nontransaction(*conn).exec(
          "CREATE TABLE items (id int PRIMARY KEY, name text, price numeric);"
          "INSERT INTO items SELECT g, md5(g::text) || repeat('x', g % 50), g * 1.25"
          "  FROM generate_series(1, 60000) g;"
          "CREATE TABLE notes (id int PRIMARY KEY, body text);"
          "INSERT INTO notes SELECT g, repeat(md5(g::text), 3) FROM generate_series(1, 20000) g;");
    }
    m_catalog = "--catalog " + shell_quote((m_home.path() / "catalog.db").string()) + " ";
    const fs::path dump = m_files.path() / kKey;
    fs::create_directories(dump.parent_path());
    pg::ProcessOptions dumping;
    dumping.argv = {pg::find_pg_program("pg_dump"), "-Fc", "-f", dump.string(),
                    m_cluster->conninfo("streamsrc")};
    const auto dumped = pg::run_process(dumping);
    ASSERT_EQ(dumped.exit_code, 0) << dumped.err;
    m_dump = testing::read_file(dump);
    m_prefix = testing::unique_s3_prefix("stream");
    m_bucket = storage::open_storage(S3Server::shared().url(m_prefix));
    storage::testing::put_object(*m_bucket, kKey, m_dump);
    ASSERT_EQ(lastgood("repo add files " + shell_quote(m_files.path().string())).exit_code, 0);
    ASSERT_EQ(
        lastgood("repo add bucket " + shell_quote(S3Server::shared().url(m_prefix))).exit_code, 0);
    const auto scan = lastgood("scan --json");
    ASSERT_EQ(scan.exit_code, 0) << scan.out << scan.err;
  }
  // lastgood with its TMPDIR in m_tmp.
  testing::CommandResult lastgood(const std::string& args, const std::string& env = "")
  {
    return testing::run_shell("TMPDIR=" + shell_quote(m_tmp.path().string()) + " " + env + " " +
                              shell_quote(testing::lastgood_binary()) + " " + m_catalog + args);
  }
  std::string backup_in(const std::string& repository)
  {
    const json listed = json::parse(lastgood("backups --json").out);
    for (const auto& b : listed["backups"])
      if (b["repository"] == repository) return b["id"].get<std::string>();
    ADD_FAILURE() << "no backup in " << repository << ": " << listed.dump();
    return "";
  }
  // Every table's rows, in a form two databases can be compared by.
  std::map<std::string, std::string> rows_of(const std::string& database)
  {
    auto conn = pg::connect(m_cluster->conninfo(database));
    pqxx::nontransaction tx(*conn);
    std::map<std::string, std::string> out;
    for (const char* table : {"items", "notes"})
      out[table] = tx.exec1("SELECT count(*) || ':' || md5(string_agg(t::text, ',' ORDER BY id)) "
                            "FROM " +
                            std::string(table) + " t")[0]
                       .as<std::string>();
    return out;
  }
  std::set<std::string> databases()
  {
    auto conn = pg::connect(m_cluster->conninfo("postgres"));
    std::set<std::string> out;
    for (auto row : pqxx::nontransaction(*conn).exec("SELECT datname FROM pg_database"))
      out.insert(row[0].as<std::string>());
    return out;
  }
  void flip_one_byte_on_s3()
  {
    std::string changed = m_dump;
    changed[changed.size() / 2] = static_cast<char>(changed[changed.size() / 2] ^ 0x20);
    ASSERT_EQ(changed.size(), m_dump.size());
    storage::testing::put_object(*m_bucket, kKey, changed);
  }

  std::unique_ptr<pg::ScratchCluster> m_cluster;
  TempDir m_home, m_files, m_tmp;
  std::string m_catalog, m_prefix, m_dump;
  std::unique_ptr<storage::Storage> m_bucket;
};

TEST_F(S3StreamRestore, StreamedRestoresGiveTheRowsOfTheFileRepositoryWithoutATempCopy)
{
  const std::string scratch = " --scratch " + shell_quote(m_cluster->conninfo("postgres"));
  const std::string to = " --to " + shell_quote(m_cluster->conninfo("postgres"));
  ASSERT_GT(m_dump.size(), 1u << 20);
  const std::string from_files = backup_in("files"), from_bucket = backup_in("bucket");

  const auto file_restore = lastgood("restore " + from_files + " --as from_files" + to);
  ASSERT_EQ(file_restore.exit_code, 0) << file_restore.out << file_restore.err;

  TempWatcher watcher(m_tmp.path(), m_dump.size());
  const auto verified = lastgood("verify " + from_bucket + " --level restore --json" + scratch);
  const auto restored = lastgood("restore " + from_bucket + " --as from_bucket" + to);
  const auto copies = watcher.stop();
  ASSERT_EQ(verified.exit_code, 0) << verified.out << verified.err;
  const json run = json::parse(verified.out)["runs"][0];
  EXPECT_EQ(run["outcome"], "pass") << run.dump(2);
  ASSERT_EQ(restored.exit_code, 0) << restored.out << restored.err;
  EXPECT_TRUE(copies.empty()) << "a copy of the dump appeared in TMPDIR: " << *copies.begin();

  const auto expected = rows_of("from_files");
  EXPECT_EQ(expected.at("items").substr(0, 6), "60000:");
  EXPECT_EQ(rows_of("from_bucket"), expected);
  // The test restore counted the same rows the file restore holds.
  std::map<std::string, std::string> counted;
  for (const auto& c : run["row_counts"])
    counted[c["table"].get<std::string>()] = std::to_string(c["rows"].get<std::int64_t>());
  EXPECT_EQ(counted["items"], "60000") << run.dump(2);
  EXPECT_EQ(counted["notes"], "20000") << run.dump(2);

  // The watcher does see the copy the old path makes (the assertion above can fail).
  TempWatcher control(m_tmp.path(), m_dump.size());
  const auto copied = lastgood("restore " + from_bucket + " --as copied_first" + to,
                               "LASTGOOD_RESTORE_COPY_FIRST=1");
  EXPECT_FALSE(control.stop().empty());
  ASSERT_EQ(copied.exit_code, 0) << copied.out << copied.err;

  // Parallel restore of a custom dump needs a seekable file, and says so.
  const auto parallel = lastgood("restore " + from_bucket + " --as parallel --jobs 2" + to);
  ASSERT_EQ(parallel.exit_code, 0) << parallel.out << parallel.err;
  EXPECT_NE(parallel.out.find("parallel restore of a custom dump needs a local copy: "),
            std::string::npos)
      << parallel.out;
  EXPECT_EQ(rows_of("parallel"), expected);
}

TEST_F(S3StreamRestore, BytesChangedOnS3FailTheRestoreAndLeaveNoDatabase)
{
  const std::string id = backup_in("bucket");
  flip_one_byte_on_s3();
  const auto before = databases();

  const auto restored = lastgood("restore " + id + " --as flipped --json --to " +
                                 shell_quote(m_cluster->conninfo("postgres")));
  EXPECT_NE(restored.exit_code, 0) << restored.out;
  const json result = json::parse(restored.out)["result"];
  EXPECT_EQ(result["outcome"], "fail") << result.dump(2);
  bool mismatch = false;
  for (const auto& f : result["findings"])
    if (f["kind"] == "checksum_mismatch" && f["subject"] == kKey &&
        f["message"].get<std::string>().find("differ from the cataloged hash") != std::string::npos)
      mismatch = true;
  EXPECT_TRUE(mismatch) << result.dump(2);
  EXPECT_EQ(databases(), before) << "the restore left a database behind";

  const auto verified = lastgood("verify " + id + " --level restore --json --scratch " +
                                 shell_quote(m_cluster->conninfo("postgres")));
  EXPECT_EQ(verified.exit_code, 3) << verified.out << verified.err;
  const json run = json::parse(verified.out)["runs"][0];
  EXPECT_EQ(run["outcome"], "fail") << run.dump(2);
  bool named = false;
  for (const auto& f : run["findings"])
    named = named || (f["kind"] == "checksum_mismatch" && f["subject"] == kKey);
  EXPECT_TRUE(named) << run.dump(2);
  EXPECT_EQ(databases(), before) << "the test restore left a database behind";
}

TEST_F(S3StreamRestore, AStreamCutByTheProxyIsAnErrorNeverAPass)
{
  const std::string id = backup_in("bucket");
  FaultProxy proxy(S3Server::shared().endpoint(), 11, 1.0, 2500, "truncate", true);
  const std::string through = "s3://" + std::string(S3Server::kBucket) + "/" + m_prefix +
                              "?endpoint=" + proxy.endpoint() + "&timeout_ms=1000&max_attempts=2";
  const auto before = databases();
  {
    // The catalog keeps the backup; its repository is now reached through the proxy.
    auto db = catalog::Catalog::open((m_home.path() / "catalog.db").string());
    db->db()
        .prepare("UPDATE repositories SET url = ? WHERE name = 'bucket'")
        .bind_all(through)
        .run();
  }
  const auto restored = lastgood("restore " + id + " --as cut --json --to " +
                                 shell_quote(m_cluster->conninfo("postgres")));
  EXPECT_NE(restored.exit_code, 0) << restored.out << restored.err;
  const json result = json::parse(restored.out)["result"];
  EXPECT_EQ(result["outcome"], "error") << result.dump(2);
  bool unreadable = false;
  for (const auto& f : result["findings"])
    unreadable = unreadable || (f["kind"] == "unreadable_object" && f["subject"] == kKey);
  EXPECT_TRUE(unreadable) << result.dump(2);
  EXPECT_EQ(databases(), before);
}

TEST_F(S3StreamRestore, PlainDumpsStreamIntoPsqlAndOnesThatSwitchDatabasesAreRefused)
{
  const std::string to = " --to " + shell_quote(m_cluster->conninfo("postgres"));
  for (const auto& [key, create] : {std::pair<std::string, bool>{"plain/streamed.sql", false},
                                    std::pair<std::string, bool>{"create/streamed.sql", true}}) {
    const fs::path file = m_tmp.path() / "made.sql";
    pg::ProcessOptions dumping;
    dumping.argv = {pg::find_pg_program("pg_dump"), "-Fp", "-f", file.string()};
    if (create) dumping.argv.push_back("--create");
    dumping.argv.push_back(m_cluster->conninfo("streamsrc"));
    ASSERT_EQ(pg::run_process(dumping).exit_code, 0);
    storage::testing::put_object(*m_bucket, key, testing::read_file(file));
    fs::remove(file);
  }
  ASSERT_EQ(lastgood("scan").exit_code, 0);
  std::string plain, switching;
  const json listed = json::parse(lastgood("backups --json").out);
  for (const auto& b : listed["backups"]) {
    if (b["location"] == "plain/streamed.sql") plain = b["id"].get<std::string>();
    if (b["location"] == "create/streamed.sql") switching = b["id"].get<std::string>();
  }
  ASSERT_FALSE(plain.empty() || switching.empty()) << listed.dump(2);

  TempWatcher watcher(m_tmp.path(), 0);
  const auto restored = lastgood("restore " + plain + " --as from_plain" + to);
  ASSERT_EQ(restored.exit_code, 0) << restored.out << restored.err;
  const auto before = databases();
  const auto refused = lastgood("restore " + switching + " --as switched --json" + to);
  const auto after = databases();
  EXPECT_TRUE(watcher.stop().empty()) << "a copy of a plain dump appeared in TMPDIR";
  const auto from_files = lastgood("restore " + backup_in("files") + " --as from_files" + to);
  ASSERT_EQ(from_files.exit_code, 0) << from_files.out << from_files.err;
  EXPECT_EQ(rows_of("from_plain"), rows_of("from_files"));

  EXPECT_NE(refused.exit_code, 0) << refused.out;
  const json result = json::parse(refused.out)["result"];
  EXPECT_NE(result["outcome"], "pass") << result.dump(2);
  EXPECT_NE(result["message"].get<std::string>().find("switches databases"), std::string::npos)
      << result.dump(2);
  EXPECT_EQ(after, before) << "the refused plain dump left a database behind";
}

TEST_F(S3StreamRestore, ADumpCompressedAsAWholeStreamsAndAChangedByteIsAMismatchNotAnError)
{
  const std::string to = " --to " + shell_quote(m_cluster->conninfo("postgres"));
  const fs::path plain = m_tmp.write("made.dump", m_dump), packed = m_tmp.path() / "made.dump.zst";
  const auto packing = testing::run_shell("zstd -q -f -o " + shell_quote(packed.string()) + " " +
                                          shell_quote(plain.string()));
  ASSERT_EQ(packing.exit_code, 0) << packing.err;
  std::string zst = testing::read_file(packed);
  fs::remove(plain), fs::remove(packed);
  const std::string key = "zst/streamed.dump.zst";
  storage::testing::put_object(*m_bucket, key, zst);
  ASSERT_EQ(lastgood("scan").exit_code, 0);
  std::string id;
  const json listed = json::parse(lastgood("backups --json").out);
  for (const auto& b : listed["backups"])
    if (b["location"] == key) id = b["id"].get<std::string>();
  ASSERT_FALSE(id.empty()) << listed.dump(2);

  const auto restored = lastgood("restore " + id + " --as from_zst" + to);
  ASSERT_EQ(restored.exit_code, 0) << restored.out << restored.err;
  const auto from_files = lastgood("restore " + backup_in("files") + " --as from_files" + to);
  ASSERT_EQ(from_files.exit_code, 0) << from_files.out << from_files.err;
  EXPECT_EQ(rows_of("from_zst"), rows_of("from_files"));

  zst[zst.size() / 2] = static_cast<char>(zst[zst.size() / 2] ^ 0x20);
  storage::testing::put_object(*m_bucket, key, zst);
  const auto before = databases();
  const auto flipped = lastgood("restore " + id + " --as flipped --json" + to);
  EXPECT_NE(flipped.exit_code, 0) << flipped.out;
  const json result = json::parse(flipped.out)["result"];
  EXPECT_EQ(result["outcome"], "fail") << result.dump(2);
  ASSERT_FALSE(result["findings"].empty()) << result.dump(2);
  EXPECT_EQ(result["findings"][0]["kind"], "checksum_mismatch") << result.dump(2);
  EXPECT_EQ(result["findings"][0]["subject"], key) << result.dump(2);
  EXPECT_EQ(databases(), before);
}

} // namespace
} // namespace lastgood
