// A directory-format dump (pg_dump -Fd) on S3 is restored member by member
// through named FIFOs (real s3rver on loopback, real PostgreSQL): restore and
// test restore with --jobs 2 give exactly the source's rows, and TMPDIR never
// holds more than the small TOC files; a bit flipped in one data member fails
// both with a checksum mismatch naming that member and leaves no database.
// verify --level restore of a custom or directory dump on S3 reads its bytes
// once (counted at a logging proxy): the stream's SHA-256 is the checksum
// evidence, and a byte changed after the TOC is still a checksum failure.

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
#include <fstream>
#include <gtest/gtest.h>
#include <iostream>
#include <map>
#include <nlohmann/json.hpp>
#include <pqxx/pqxx>
#include <set>
#include <sys/stat.h>
#include <sys/wait.h>
#include <thread>
#include <unistd.h>

namespace lastgood {
namespace {

namespace fs = std::filesystem;
using nlohmann::json;
using testing::FaultProxy;
using testing::S3Server;
using testing::shell_quote;
using testing::TempDir;

constexpr const char* kRoot = "dirs/shop.dir";

// Watches a directory tree from a thread: the largest regular file and the
// most regular-file bytes present at once, and whether a FIFO was seen.
class TempUse
{
public:
  explicit TempUse(fs::path dir) : m_dir(std::move(dir)), m_thread([this] { watch(); }) {}
  ~TempUse() { stop(); }
  void stop()
  {
    m_stop = true;
    if (m_thread.joinable()) m_thread.join();
  }
  std::uintmax_t largest_file = 0, most_bytes = 0;
  std::string largest_name;
  bool saw_fifo = false;

private:
  void watch()
  {
    while (!m_stop) {
      std::error_code ec;
      std::uintmax_t bytes = 0;
      for (fs::recursive_directory_iterator
               it(m_dir, fs::directory_options::skip_permission_denied, ec),
           end;
           !ec && it != end; it.increment(ec)) {
        std::error_code e;
        const auto status = it->symlink_status(e);
        if (e) continue;
        if (fs::is_fifo(status)) saw_fifo = true;
        if (!fs::is_regular_file(status)) continue;
        const auto size = fs::file_size(it->path(), e);
        if (e) continue;
        bytes += size;
        if (size > largest_file) largest_file = size, largest_name = it->path().string();
      }
      most_bytes = std::max(most_bytes, bytes);
      std::this_thread::sleep_for(std::chrono::milliseconds(2));
    }
  }
  fs::path m_dir;
  std::atomic<bool> m_stop{false};
  std::thread m_thread;
};

class S3DirectoryStream : public ::testing::Test
{
protected:
  void SetUp() override
  {
    m_cluster = pg::ScratchCluster::start({});
    {
      auto conn = pg::connect(m_cluster->conninfo("postgres"));
      pqxx::nontransaction(*conn).exec("CREATE DATABASE dirsrc");
    }
    {
      auto conn = pg::connect(m_cluster->conninfo("dirsrc"));
      pqxx::nontransaction(*conn).exec(
          "CREATE TABLE items (id int PRIMARY KEY, name text, price numeric);"
          "INSERT INTO items SELECT g, md5(g::text) || repeat('x', g % 50), g * 1.25"
          "  FROM generate_series(1, 60000) g;"
          "CREATE TABLE notes (id int PRIMARY KEY, body text);"
          "INSERT INTO notes SELECT g, repeat(md5(g::text), 3) FROM generate_series(1, 20000) g;"
          "CREATE TABLE tags (id int PRIMARY KEY, tag text);"
          "INSERT INTO tags SELECT g, 't' || g FROM generate_series(1, 5000) g;");
    }
    m_catalog = "--catalog " + shell_quote((m_home.path() / "catalog.db").string()) + " ";
    const fs::path dump = m_made.path() / "shop.dir";
    pg::ProcessOptions dumping;
    dumping.argv = {pg::find_pg_program("pg_dump"), "-Fd", "-f", dump.string(),
                    m_cluster->conninfo("dirsrc")};
    const auto dumped = pg::run_process(dumping);
    ASSERT_EQ(dumped.exit_code, 0) << dumped.err;
    m_prefix = testing::unique_s3_prefix("dirstream");
    m_bucket = storage::open_storage(S3Server::shared().url(m_prefix));
    for (const auto& entry : fs::directory_iterator(dump)) {
      const std::string name = entry.path().filename().string();
      const std::string bytes = testing::read_file(entry.path());
      m_members[name] = bytes;
      if (name != "toc.dat" && bytes.size() > m_largest_bytes)
        m_largest = name, m_largest_bytes = bytes.size();
      storage::testing::put_object(*m_bucket, std::string(kRoot) + "/" + name, bytes);
    }
    ASSERT_GE(m_members.size(), 4u); // toc.dat and three data members
    ASSERT_GT(m_members.at("toc.dat").size(), 0u);
    ASSERT_EQ(
        lastgood("repo add bucket " + shell_quote(S3Server::shared().url(m_prefix))).exit_code, 0);
    const auto scan = lastgood("scan --json");
    ASSERT_EQ(scan.exit_code, 0) << scan.out << scan.err;
    const json listed = json::parse(lastgood("backups --json").out);
    for (const auto& b : listed["backups"])
      if (b["location"] == kRoot) m_id = b["id"].get<std::string>();
    ASSERT_FALSE(m_id.empty()) << listed.dump(2);
  }
  testing::CommandResult lastgood(const std::string& args, const std::string& env = "")
  {
    return testing::run_shell("TMPDIR=" + shell_quote(m_tmp.path().string()) + " " + env + " " +
                              shell_quote(testing::lastgood_binary()) + " " + m_catalog + args);
  }
  std::map<std::string, std::string> rows_of(const std::string& database)
  {
    auto conn = pg::connect(m_cluster->conninfo(database));
    pqxx::nontransaction tx(*conn);
    std::map<std::string, std::string> out;
    for (const char* table : {"items", "notes", "tags"})
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
  std::string to() const { return " --to " + shell_quote(m_cluster->conninfo("postgres")); }
  std::string scratch() const
  {
    return " --scratch " + shell_quote(m_cluster->conninfo("postgres"));
  }

  std::unique_ptr<pg::ScratchCluster> m_cluster;
  TempDir m_home, m_made, m_tmp;
  std::string m_catalog, m_prefix, m_id, m_largest;
  std::size_t m_largest_bytes = 0;
  std::map<std::string, std::string> m_members;
  std::unique_ptr<storage::Storage> m_bucket;
};

TEST_F(S3DirectoryStream, RestoredWithTwoJobsGivesTheSourceRowsWithNoTemporaryCopy)
{
  ASSERT_GT(m_largest_bytes, 256u << 10) << "the largest member is too small to tell a copy";
  const std::uintmax_t toc_bytes = m_members.at("toc.dat").size();

  TempUse use(m_tmp.path());
  const auto restored = lastgood("restore " + m_id + " --as from_bucket --jobs 2 --json" + to());
  const auto verified = lastgood("verify " + m_id + " --level restore --jobs 2 --json" + scratch());
  // The structure level reads every data block (pg_restore -f /dev/null) through the FIFOs too.
  const auto structure = lastgood("verify " + m_id + " --level structure --json");
  use.stop();
  ASSERT_EQ(structure.exit_code, 0) << structure.out << structure.err;
  EXPECT_EQ(json::parse(structure.out)["runs"][0]["outcome"], "pass") << structure.out;
  ASSERT_EQ(restored.exit_code, 0) << restored.out << restored.err;
  ASSERT_EQ(verified.exit_code, 0) << verified.out << verified.err;
  const json run = json::parse(verified.out)["runs"][0];
  EXPECT_EQ(run["outcome"], "pass") << run.dump(2);

  const auto expected = rows_of("dirsrc");
  EXPECT_EQ(expected.at("items").substr(0, 6), "60000:");
  EXPECT_EQ(rows_of("from_bucket"), expected);
  std::map<std::string, std::int64_t> counted;
  for (const auto& c : run["row_counts"])
    counted[c["table"].get<std::string>()] = c["rows"].get<std::int64_t>();
  EXPECT_EQ(counted["items"], 60000) << run.dump(2);
  EXPECT_EQ(counted["notes"], 20000) << run.dump(2);
  EXPECT_EQ(counted["tags"], 5000) << run.dump(2);

  // TMPDIR held FIFOs and the TOC (copied once per pg_restore run), never a data member.
  EXPECT_TRUE(use.saw_fifo);
  EXPECT_LE(use.largest_file, toc_bytes) << use.largest_name;
  EXPECT_LE(use.most_bytes, 4 * toc_bytes);

  // The watcher does see the copy the copy-first path makes (the assertions above can fail).
  TempUse control(m_tmp.path());
  const auto copied = lastgood("restore " + m_id + " --as copied_first --jobs 2" + to(),
                               "LASTGOOD_RESTORE_COPY_FIRST=1");
  control.stop();
  ASSERT_EQ(copied.exit_code, 0) << copied.out << copied.err;
  EXPECT_GE(control.largest_file, m_largest_bytes);
  EXPECT_EQ(rows_of("copied_first"), expected);
}

TEST_F(S3DirectoryStream, ABitFlippedMemberFailsTheRunNamingItAndLeavesNoDatabase)
{
  std::string changed = m_members.at(m_largest);
  changed[changed.size() / 2] = static_cast<char>(changed[changed.size() / 2] ^ 0x01);
  const std::string key = std::string(kRoot) + "/" + m_largest;
  storage::testing::put_object(*m_bucket, key, changed);
  const auto before = databases();
  // What a killed streamed restore leaves (a FIFO directory of a dead process) goes first.
  const pid_t dead = ::fork();
  if (dead == 0) ::_exit(0);
  ::waitpid(dead, nullptr, 0);
  const fs::path leftover = m_tmp.path() / ("lastgood-stream-" + std::to_string(dead) + "-Ab12Cd");
  fs::create_directories(leftover / "shop.dir");
  ASSERT_EQ(::mkfifo((leftover / "shop.dir" / "3001.dat.gz").c_str(), 0600), 0);

  const auto restored = lastgood("restore " + m_id + " --as flipped --jobs 2 --json" + to());
  EXPECT_EQ(restored.exit_code, 1) << restored.out << restored.err;
  const json result = json::parse(restored.out)["result"];
  EXPECT_EQ(result["outcome"], "fail") << result.dump(2);
  bool named = false;
  for (const auto& f : result["findings"])
    named = named || (f["kind"] == "checksum_mismatch" && f["subject"] == key &&
                      f["message"].get<std::string>().find(
                          "offsets 0-" + std::to_string(changed.size())) != std::string::npos);
  EXPECT_TRUE(named) << result.dump(2);
  EXPECT_EQ(databases(), before) << "the restore left a database behind";
  EXPECT_FALSE(fs::exists(leftover)) << result.dump(2);
  EXPECT_NE(result["cleaned_up"].dump().find(leftover.filename().string()), std::string::npos)
      << result.dump(2);

  const auto verified = lastgood("verify " + m_id + " --level restore --jobs 2 --json" + scratch());
  EXPECT_EQ(verified.exit_code, 3) << verified.out << verified.err;
  const json run = json::parse(verified.out)["runs"][0];
  EXPECT_EQ(run["outcome"], "fail") << run.dump(2);
  bool flagged = false;
  for (const auto& f : run["findings"])
    flagged = flagged || (f["kind"] == "checksum_mismatch" && f["subject"] == key);
  EXPECT_TRUE(flagged) << run.dump(2);
  EXPECT_EQ(databases(), before) << "the test restore left a database behind";
}

TEST_F(S3DirectoryStream, AStreamCutByTheProxyIsAnErrorNamingTheObjectAndRestoresNothing)
{
  FaultProxy proxy(S3Server::shared().endpoint(), 11, 1.0, 2500, "truncate", true);
  const std::string through = "s3://" + std::string(S3Server::kBucket) + "/" + m_prefix +
                              "?endpoint=" + proxy.endpoint() + "&timeout_ms=1000&max_attempts=2";
  {
    // The catalog keeps the backup; its repository is now reached through the proxy.
    auto db = catalog::Catalog::open((m_home.path() / "catalog.db").string());
    db->db()
        .prepare("UPDATE repositories SET url = ? WHERE name = 'bucket'")
        .bind_all(through)
        .run();
  }
  const auto before = databases();
  const auto restored = lastgood("restore " + m_id + " --as cut --jobs 2 --json" + to());
  EXPECT_EQ(restored.exit_code, 1) << restored.out << restored.err;
  const json result = json::parse(restored.out)["result"];
  EXPECT_EQ(result["outcome"], "error") << result.dump(2);
  bool named = false;
  for (const auto& f : result["findings"])
    named = named || (f["kind"] == "unreadable_object" && f["severity"] == "error" &&
                      f["subject"].get<std::string>().starts_with(std::string(kRoot) + "/") &&
                      f["message"].get<std::string>().find(" bytes (") != std::string::npos);
  EXPECT_TRUE(named) << result.dump(2);
  EXPECT_EQ(databases(), before) << "the cut restore left a database behind";
}

// Body bytes GETs of objects under `prefix` received, from a proxy's body
// log, which is then emptied.
std::uint64_t bytes_read(const fs::path& log, const std::string& prefix)
{
  std::ifstream in(log);
  std::uint64_t total = 0;
  for (std::string method, path, bytes; in >> method >> path >> bytes;)
    if (method == "GET" && path.find("/" + prefix + "/") != std::string::npos)
      total += std::stoull(bytes);
  in.close();
  std::ofstream(log, std::ios::trunc).close();
  return total;
}

TEST_F(S3DirectoryStream, VerifyReadsADumpOnS3OnceAndAChangedByteIsStillAChecksumFailure)
{
  const fs::path custom = m_made.path() / "shop.dump";
  pg::ProcessOptions dumping;
  dumping.argv = {pg::find_pg_program("pg_dump"), "-Fc", "-f", custom.string(),
                  m_cluster->conninfo("dirsrc")};
  ASSERT_EQ(pg::run_process(dumping).exit_code, 0);
  const std::string dump = testing::read_file(custom);
  ASSERT_GT(dump.size(), 1u << 20);
  const std::string prefix = testing::unique_s3_prefix("once");
  auto bucket = storage::open_storage(S3Server::shared().url(prefix));
  storage::testing::put_object(*bucket, "shop.dump", dump);
  std::uint64_t directory_bytes = 0;
  for (const auto& [name, bytes] : m_members) {
    storage::testing::put_object(*bucket, "shop.dir/" + name, bytes);
    directory_bytes += bytes.size();
  }
  const fs::path log = m_made.path() / "requests.log";
  FaultProxy proxy(S3Server::shared().endpoint(), 1, 0.0, 0, "500", false, 0, "", log.string());
  const std::string through =
      "s3://" + std::string(S3Server::kBucket) + "/" + prefix + "?endpoint=" + proxy.endpoint();
  ASSERT_EQ(lastgood("repo add proxied " + shell_quote(through)).exit_code, 0);
  const auto scanned = lastgood("scan proxied");
  ASSERT_EQ(scanned.exit_code, 0) << scanned.out << scanned.err;
  std::map<std::string, std::string> ids;
  const json listed = json::parse(lastgood("backups --json").out);
  for (const auto& b : listed["backups"])
    if (b["repository"] == "proxied") ids[b["location"].get<std::string>()] = b["id"];
  ASSERT_EQ(ids.size(), 2u) << listed.dump(2);
  bytes_read(log, prefix);

  // Parallel restore of a custom dump needs a local copy: the custom dump with one job.
  for (const auto& [location, size, jobs] :
       {std::tuple<std::string, std::uint64_t, std::string>{"shop.dump", dump.size(), ""},
        {"shop.dir", directory_bytes, " --jobs 2"}}) {
    SCOPED_TRACE(location);
    const auto verified =
        lastgood("verify " + ids.at(location) + " --level restore --json" + jobs + scratch());
    const auto read_once = bytes_read(log, prefix);
    ASSERT_EQ(verified.exit_code, 0) << verified.out << verified.err;
    const json run = json::parse(verified.out)["runs"][0];
    EXPECT_EQ(run["outcome"], "pass") << run.dump(2);
    EXPECT_EQ(run["checksum_hash"], "sha256") << run.dump(2);
    std::cout << location << ": verify read " << read_once << " bytes of " << size << "\n";
    EXPECT_GE(read_once, size);
    EXPECT_LT(read_once, size + size / 2) << "the dump was read more than once";

    // The count does see the second read when the checksum level reads first.
    const auto twice =
        lastgood("verify " + ids.at(location) + " --level restore --json" + jobs + scratch(),
                 "LASTGOOD_VERIFY_READ_TWICE=1");
    ASSERT_EQ(twice.exit_code, 0) << twice.out << twice.err;
    EXPECT_GE(bytes_read(log, prefix), 2 * size);
  }

  // A byte changed after the TOC: --list passes, the restore stream finds it.
  std::string changed = dump;
  changed[changed.size() - 4096] = static_cast<char>(changed[changed.size() - 4096] ^ 0x01);
  storage::testing::put_object(*bucket, "shop.dump", changed);
  const auto flipped =
      lastgood("verify " + ids.at("shop.dump") + " --level restore --json" + scratch());
  EXPECT_EQ(flipped.exit_code, 3) << flipped.out << flipped.err;
  const json run = json::parse(flipped.out)["runs"][0];
  EXPECT_EQ(run["outcome"], "fail") << run.dump(2);
  EXPECT_EQ(run["checksum_hash"], "sha256") << run.dump(2);
  bool mismatch = false;
  for (const auto& f : run["findings"])
    mismatch = mismatch || (f["kind"] == "checksum_mismatch" && f["severity"] == "failure" &&
                            f["subject"] == "shop.dump");
  EXPECT_TRUE(mismatch) << run.dump(2);
}

} // namespace
} // namespace lastgood
