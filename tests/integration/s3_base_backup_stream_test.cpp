// Base backups on S3 (real s3rver on loopback, the real pg_basebackup
// -Ft --compress=client-zstd backup of make-artifacts) are extracted straight
// from the object stream: a test restore recovers it to `good` with the rows
// of its moment while TMPDIR never holds a copy of a tar (measured: every
// byte in TMPDIR outside the scratch cluster's data directory); a byte
// changed on S3 after the scan makes the test restore and `restore --pgdata`
// fail naming the object and its byte range, leaving nothing in the target;
// a stream cut by the fault proxy is an error, never a pass, and leaves
// nothing either.

#include "catalog/catalog.hpp"
#include "storage/storage.hpp"
#include "tests/support/run_command.hpp"
#include "tests/support/s3_server.hpp"
#include "tests/support/temp_dir.hpp"
#include "tests/unit/storage/storage_test_helpers.hpp"

#include <atomic>
#include <filesystem>
#include <fstream>
#include <gtest/gtest.h>
#include <map>
#include <nlohmann/json.hpp>
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

constexpr const char* kLabel = "tar-zst-1";

// Watches TMPDIR from a thread: files named like, or exactly as large as,
// the backup's tars, and the peak bytes outside a scratch cluster's data and
// tablespace directories (which the restore is meant to fill).
class TempWatcher
{
public:
  TempWatcher(fs::path dir, std::set<std::string> names, std::set<std::uintmax_t> sizes)
      : m_dir(std::move(dir)), m_names(std::move(names)), m_sizes(std::move(sizes)),
        m_thread([this] { watch(); })
  {
  }
  ~TempWatcher() { stop(); }
  std::set<std::string> stop()
  {
    m_stop = true;
    if (m_thread.joinable()) m_thread.join();
    return m_seen;
  }
  std::uintmax_t peak_outside_data() const { return m_peak; }

private:
  void watch()
  {
    while (!m_stop) {
      std::error_code ec;
      std::uintmax_t outside = 0;
      for (fs::recursive_directory_iterator
               it(m_dir, fs::directory_options::skip_permission_denied, ec),
           end;
           !ec && it != end; it.increment(ec)) {
        std::error_code e;
        const auto name = it->path().filename().string();
        const auto parent = it->path().parent_path().filename().string();
        if (it->is_directory(e) && (name == "data" || name == "tablespaces") &&
            parent.starts_with("lastgood-scratch-")) {
          it.disable_recursion_pending();
          continue;
        }
        if (!it->is_regular_file(e)) continue;
        const auto size = fs::file_size(it->path(), e);
        if (e) continue;
        outside += size;
        if (m_names.contains(name) || name.starts_with("lastgood-copy") || m_sizes.contains(size))
          m_seen.insert(it->path().string());
      }
      m_peak = std::max<std::uintmax_t>(m_peak, outside);
      std::this_thread::sleep_for(std::chrono::milliseconds(2));
    }
  }
  fs::path m_dir;
  std::set<std::string> m_names;
  std::set<std::uintmax_t> m_sizes;
  std::atomic<bool> m_stop{false};
  std::atomic<std::uintmax_t> m_peak{0};
  std::set<std::string> m_seen;
  std::thread m_thread;
};

class S3BaseBackupStream : public ::testing::Test
{
protected:
  void SetUp() override
  {
    if (testing::artifacts_dir().empty())
      GTEST_SKIP() << "LASTGOOD_ARTIFACTS not set (run through ctest)";
    m_expected = json::parse(testing::read_file(testing::artifacts_dir() / "expected.json"));
    if (!m_expected["base_backups"].contains(kLabel))
      GTEST_SKIP() << "pg_basebackup made no " << kLabel;
    // The scratch cluster runs as the postgres OS user under TMPDIR.
    fs::permissions(m_tmp.path(), fs::perms::all);
    fs::permissions(m_home.path(), fs::perms::all);
    m_catalog = "--catalog " + shell_quote((m_home.path() / "catalog.db").string()) + " ";
    m_prefix = testing::unique_s3_prefix("basestream");
    m_bucket = storage::open_storage(S3Server::shared().url(m_prefix));
    const fs::path local = testing::artifacts_dir() / "repo" / "base" / kLabel;
    for (const auto& entry : fs::directory_iterator(local)) {
      const std::string name = entry.path().filename().string();
      m_objects[name] = testing::read_file(entry.path());
      storage::testing::put_object(*m_bucket, key_of(name), m_objects[name]);
    }
    ASSERT_TRUE(m_objects.contains("base.tar.zst"));
    ASSERT_EQ(
        lastgood("repo add bucket " + shell_quote(S3Server::shared().url(m_prefix))).exit_code, 0);
    const auto scan = lastgood("scan -q");
    ASSERT_EQ(scan.exit_code, 0) << scan.out << scan.err;
    const json listed = json::parse(lastgood("backups --json").out);
    for (const auto& b : listed["backups"])
      if (b["label"].is_string() && b["label"] == kLabel) m_id = b["id"].get<std::string>();
    ASSERT_FALSE(m_id.empty()) << listed.dump(2);
  }
  static std::string key_of(const std::string& name)
  {
    return std::string("base/") + kLabel + "/" + name;
  }
  // lastgood with its TMPDIR in m_tmp.
  testing::CommandResult lastgood(const std::string& args)
  {
    return testing::run_shell("TMPDIR=" + shell_quote(m_tmp.path().string()) + " " +
                              shell_quote(testing::lastgood_binary()) + " " + m_catalog + args);
  }
  TempWatcher watch_tmp()
  {
    std::set<std::string> names;
    std::set<std::uintmax_t> sizes;
    for (const auto& [name, content] : m_objects)
      if (name.find(".tar") != std::string::npos) {
        names.insert(name);
        sizes.insert(content.size());
      }
    names.insert("base.tar");
    return TempWatcher(m_tmp.path(), names, sizes);
  }
  void flip_on_s3(const std::string& name, std::size_t offset)
  {
    std::string changed = m_objects.at(name);
    changed[offset] = static_cast<char>(changed[offset] ^ 0x20);
    storage::testing::put_object(*m_bucket, key_of(name), changed);
  }
  std::string status()
  {
    const json listed = json::parse(lastgood("backups --json").out);
    for (const auto& b : listed["backups"])
      if (b["id"] == m_id) return b["status"].get<std::string>();
    return "";
  }
  static bool names_range(const json& findings, const std::string& key, const std::string& kind)
  {
    for (const auto& f : findings)
      if (f["kind"] == kind && f["subject"] == key &&
          f["message"].get<std::string>().find("bytes 0-") != std::string::npos)
        return true;
    return false;
  }
  bool nothing_in(const fs::path& dir) { return !fs::exists(dir) || fs::is_empty(dir); }

  TempDir m_home, m_tmp;
  json m_expected;
  std::string m_catalog, m_prefix, m_id;
  std::map<std::string, std::string> m_objects;
  std::unique_ptr<storage::Storage> m_bucket;
};

TEST_F(S3BaseBackupStream, ATestRestoreIsGoodWithoutATemporaryCopy)
{
  std::uintmax_t tars = 0;
  for (const auto& [name, content] : m_objects)
    if (name.find(".tar") != std::string::npos) tars += content.size();
  ASSERT_GT(tars, 4u << 20);

  auto watcher = watch_tmp();
  const auto verified = lastgood("verify " + m_id + " --level restore --json");
  const auto copies = watcher.stop();
  ASSERT_EQ(verified.exit_code, 0) << verified.out << verified.err;
  const json run = json::parse(verified.out)["runs"][0];
  EXPECT_EQ(run["outcome"], "pass") << run.dump(2);
  EXPECT_EQ(status(), "good");
  EXPECT_TRUE(copies.empty()) << "a copy of a tar appeared in TMPDIR: " << *copies.begin();
  // Beyond the data directory, TMPDIR held the server's log and socket only.
  EXPECT_LT(watcher.peak_outside_data(), std::uintmax_t{1} << 20)
      << "bytes in TMPDIR outside the scratch data directory, tars: " << tars;
  ::testing::Test::RecordProperty("tmpdir_peak_outside_data",
                                  std::to_string(watcher.peak_outside_data()));

  std::map<std::string, std::int64_t> counted, expected;
  for (const auto& c : run["row_counts"])
    if (c["schema"] == "shop.public") counted[c["table"]] = c["rows"];
  for (const auto& [table, rows] : m_expected["base_backups"][kLabel]["shop_row_counts"].items())
    expected[table] = rows;
  EXPECT_FALSE(expected.empty());
  EXPECT_EQ(counted, expected) << run.dump(2);

  // The watcher does see a copy in TMPDIR (the assertions above can fail).
  auto control = watch_tmp();
  fs::create_directory(m_tmp.path() / "lastgood-copy-1");
  std::ofstream(m_tmp.path() / "lastgood-copy-1" / "base.tar.zst", std::ios::binary)
      << m_objects.at("base.tar.zst");
  std::this_thread::sleep_for(std::chrono::milliseconds(100));
  EXPECT_FALSE(control.stop().empty());
  EXPECT_GE(control.peak_outside_data(), m_objects.at("base.tar.zst").size());
  fs::remove_all(m_tmp.path() / "lastgood-copy-1");
}

TEST_F(S3BaseBackupStream, AByteChangedOnS3FailsRestorePgdataAndTheTestRestoreNamingTheObject)
{
  // In the compressed base tar: zstd stops on it, the hash says why.
  const std::string tar = "base.tar.zst";
  flip_on_s3(tar, m_objects.at(tar).size() / 2);

  const fs::path pgdata = m_home.path() / "pgdata";
  const auto restored = lastgood("restore --backup " + m_id + " --immediate --pgdata " +
                                 shell_quote(pgdata.string()) + " --json");
  EXPECT_EQ(restored.exit_code, 3) << restored.out << restored.err;
  const json result = json::parse(restored.out);
  EXPECT_EQ(result["outcome"], "fail") << result.dump(2);
  const std::string message = result["message"].get<std::string>();
  EXPECT_NE(message.find(key_of(tar)), std::string::npos) << result.dump(2);
  EXPECT_NE(message.find("XXH3-128 blocks differ in bytes 0-"), std::string::npos)
      << result.dump(2);
  EXPECT_TRUE(nothing_in(pgdata)) << "restore --pgdata left files in the target";

  const auto verified = lastgood("verify " + m_id + " --level restore --json");
  EXPECT_EQ(verified.exit_code, 3) << verified.out << verified.err;
  const json run = json::parse(verified.out)["runs"][0];
  EXPECT_EQ(run["outcome"], "fail") << run.dump(2);
  EXPECT_TRUE(names_range(run["findings"], key_of(tar), "checksum_mismatch")) << run.dump(2);
  EXPECT_EQ(status(), "bad");
}

// In the WAL tar (uncompressed): every member extracts, the hash at its end
// fails, and the base tar's files, written before, go too.
TEST_F(S3BaseBackupStream, AByteChangedInTheWalTarRemovesTheBaseTarsFilesToo)
{
  flip_on_s3("pg_wal.tar", m_objects.at("pg_wal.tar").size() / 2);
  const fs::path pgdata = m_home.path() / "pgdata";
  const auto restored = lastgood("restore --backup " + m_id + " --immediate --pgdata " +
                                 shell_quote(pgdata.string()) + " --json");
  EXPECT_EQ(restored.exit_code, 3) << restored.out << restored.err;
  const json result = json::parse(restored.out);
  EXPECT_EQ(result["outcome"], "fail") << result.dump(2);
  EXPECT_NE(result["message"].get<std::string>().find(key_of("pg_wal.tar")), std::string::npos)
      << result.dump(2);
  EXPECT_NE(result["message"].get<std::string>().find("nothing extracted from it was kept"),
            std::string::npos)
      << result.dump(2);
  EXPECT_TRUE(nothing_in(pgdata)) << "the base tar's files stayed after the WAL tar failed";
}

TEST_F(S3BaseBackupStream, AStreamCutByTheProxyIsAnErrorAndLeavesNothing)
{
  // The catalog's URL of the bucket goes through the proxy, which cuts every
  // ranged GET from 16 MiB on: pg_wal.tar (a 16 MiB segment and its tar
  // header) is cut in its last part, after the base tar was extracted whole.
  ASSERT_GT(m_objects.at("pg_wal.tar").size(), std::size_t{16} << 20);
  FaultProxy proxy(S3Server::shared().endpoint(), 11, 1.0, 2500, "truncate", true,
                   std::uint64_t{16} << 20);
  const std::string through = "s3://" + std::string(S3Server::kBucket) + "/" + m_prefix +
                              "?endpoint=" + proxy.endpoint() + "&timeout_ms=1000&max_attempts=2";
  {
    auto db = catalog::Catalog::open((m_home.path() / "catalog.db").string());
    db->db()
        .prepare("UPDATE repositories SET url = ? WHERE name = 'bucket'")
        .bind_all(through)
        .run();
  }
  const fs::path pgdata = m_home.path() / "pgdata";
  const auto restored = lastgood("restore --backup " + m_id + " --immediate --pgdata " +
                                 shell_quote(pgdata.string()) + " --json");
  EXPECT_EQ(restored.exit_code, 1) << restored.out << restored.err;
  const json result = json::parse(restored.out);
  EXPECT_EQ(result["outcome"], "error") << result.dump(2);
  EXPECT_NE(result["message"].get<std::string>().find("could not be read after"), std::string::npos)
      << result.dump(2);
  EXPECT_NE(result["message"].get<std::string>().find(key_of("pg_wal.tar")), std::string::npos)
      << result.dump(2);
  EXPECT_TRUE(nothing_in(pgdata)) << "a cut stream left files in the target";

  const auto verified = lastgood("verify " + m_id + " --level restore --json");
  EXPECT_EQ(verified.exit_code, 1) << verified.out << verified.err;
  const json run = json::parse(verified.out)["runs"][0];
  EXPECT_EQ(run["outcome"], "error") << run.dump(2);
  EXPECT_NE(status(), "good");
  EXPECT_NE(status(), "bad");
}

} // namespace
} // namespace lastgood
