// S3 through a fault-injecting proxy (tests/support/fault-proxy.js: 500s,
// 503 SlowDown, stalls past the client's timeout, bodies cut short under a
// full Content-Length, dropped connections): scan and verify either succeed
// after retries with the true checksums, or fail with a clear message; the
// catalog never records a wrong checksum or a short object as good.

#include "catalog/catalog.hpp"
#include "common/sha256.hpp"
#include "storage/storage.hpp"
#include "tests/support/run_command.hpp"
#include "tests/support/s3_server.hpp"
#include "tests/support/temp_dir.hpp"
#include "tests/unit/storage/storage_test_helpers.hpp"

#include <gtest/gtest.h>
#include <map>
#include <nlohmann/json.hpp>
#include <random>
#include <sstream>

namespace lastgood {
namespace {

using nlohmann::json;
using testing::FaultProxy;
using testing::S3Server;
using testing::shell_quote;
using testing::TempDir;

std::string random_bytes(std::size_t size, unsigned seed)
{
  std::mt19937 engine(seed);
  std::string bytes(size, '\0');
  for (char& c : bytes)
    c = static_cast<char>(engine() & 0xff);
  return bytes;
}

class S3Faults : public ::testing::Test
{
protected:
  void SetUp() override
  {
    if (testing::artifacts_dir().empty())
      GTEST_SKIP() << "LASTGOOD_ARTIFACTS not set (run through ctest)";
    m_prefix = testing::unique_s3_prefix("faults");
    m_catalog_path = (m_home.path() / "catalog.db").string();
    // The objects go in directly, without the proxy.
    auto bucket = storage::open_storage(S3Server::shared().url(m_prefix));
    for (unsigned i = 0; i < 16; ++i) {
      const std::string bytes = random_bytes(200'000 + i * 7'001, i);
      const std::string key = "data/object-" + std::to_string(i) + ".bin";
      storage::testing::put_object(*bucket, key, bytes);
      m_expected[key] = Sha256::of(bytes);
    }
    const std::string dump = testing::read_file(testing::artifacts_dir() / "repo/dumps/shop.dump");
    storage::testing::put_object(*bucket, "dumps/shop.dump", dump);
    m_expected["dumps/shop.dump"] = Sha256::of(dump);
  }
  // The same bucket prefix, reached through proxy with tight client bounds.
  std::string url_through(const FaultProxy& proxy, int max_attempts) const
  {
    return "s3://" + std::string(S3Server::kBucket) + "/" + m_prefix +
           "?endpoint=" + proxy.endpoint() +
           "&timeout_ms=1000&max_attempts=" + std::to_string(max_attempts);
  }
  testing::CommandResult lastgood(const std::string& args)
  {
    return testing::run_lastgood("--catalog " + shell_quote(m_catalog_path) + " " + args);
  }
  // key -> {sha256 or "", problem or ""}
  std::map<std::string, std::pair<std::string, std::string>> recorded()
  {
    auto db = catalog::Catalog::open(m_catalog_path);
    auto s =
        db->db().prepare("SELECT key, coalesce(sha256, ''), coalesce(problem, '') FROM objects");
    std::map<std::string, std::pair<std::string, std::string>> out;
    while (s.step())
      out[s.text(0)] = {s.text(1), s.text(2)};
    return out;
  }
  std::string shop_backup_id()
  {
    const auto listed = lastgood("backups --json");
    const json document = json::parse(listed.out);
    for (const auto& b : document["backups"])
      if (b["location"] == "dumps/shop.dump") return b["id"].get<std::string>();
    ADD_FAILURE() << "no backup at dumps/shop.dump: " << listed.out;
    return "";
  }
  void point_repository_at(const std::string& url)
  {
    auto db = catalog::Catalog::open(m_catalog_path);
    db->db().prepare("UPDATE repositories SET url = ? WHERE name = 'r'").bind_all(url).run();
  }

  TempDir m_home;
  std::string m_prefix, m_catalog_path;
  std::map<std::string, std::string> m_expected;
};

TEST_F(S3Faults, ScanAndVerifySucceedAfterRetriesWithTrueChecksums)
{
  FaultProxy proxy(S3Server::shared().endpoint(), 20261122, 0.3, 2500);
  ASSERT_EQ(lastgood("repo add r " + shell_quote(url_through(proxy, 12))).exit_code, 0);
  const auto scan = lastgood("scan --jobs 4 --json");
  ASSERT_EQ(scan.exit_code, 0) << scan.out << scan.err;
  const auto rows = recorded();
  ASSERT_EQ(rows.size(), m_expected.size());
  for (const auto& [key, sha] : m_expected) {
    SCOPED_TRACE(key);
    EXPECT_EQ(rows.at(key).first, sha);
    EXPECT_EQ(rows.at(key).second, "");
  }
  const auto verified = lastgood("verify " + shop_backup_id() + " --level checksum --json");
  ASSERT_EQ(verified.exit_code, 0) << verified.out << verified.err;
  EXPECT_EQ(json::parse(verified.out)["runs"][0]["outcome"], "pass") << verified.out;
}

TEST_F(S3Faults, AScanAsksNoHeadAndOneGetPerSmallObject)
{
  const auto log = m_home.path() / "requests.log";
  FaultProxy proxy(S3Server::shared().endpoint(), 1, 0.0, 1000, "500", false, 0, log.string());
  ASSERT_EQ(lastgood("repo add r --no-check " + shell_quote(url_through(proxy, 2))).exit_code, 0);
  const auto scan = lastgood("scan --jobs 4 --json");
  ASSERT_EQ(scan.exit_code, 0) << scan.out << scan.err;
  const auto rows = recorded();
  ASSERT_EQ(rows.size(), m_expected.size());
  for (const auto& [key, sha] : m_expected)
    EXPECT_EQ(rows.at(key).first, sha) << key;

  // The listing gave size and ETag; the GETs' answers give the rest.
  std::map<std::string, int> by_method;
  int ranged_gets = 0;
  std::istringstream lines(testing::read_file(log));
  for (std::string line; std::getline(lines, line);) {
    ++by_method[line.substr(0, line.find(' '))];
    if (line.starts_with("GET bytes=")) ++ranged_gets;
  }
  EXPECT_EQ(by_method["HEAD"], 0);
  // Every object here is smaller than one read part: one ranged GET each.
  EXPECT_EQ(ranged_gets, static_cast<int>(m_expected.size()));
}

TEST_F(S3Faults, BodiesAlwaysCutShortAreNeverRecordedAsGood)
{
  // Listings pass; every object body stops halfway under a full Content-Length.
  FaultProxy proxy(S3Server::shared().endpoint(), 5, 1.0, 2500, "truncate", true);
  ASSERT_EQ(lastgood("repo add r " + shell_quote(url_through(proxy, 3))).exit_code, 0);
  const auto scan = lastgood("scan --json");
  EXPECT_EQ(scan.exit_code, 3) << scan.out << scan.err;
  const auto rows = recorded();
  ASSERT_EQ(rows.size(), m_expected.size());
  for (const auto& [key, row] : rows) {
    SCOPED_TRACE(key);
    EXPECT_EQ(row.first, "") << "a checksum was recorded from a short body";
    EXPECT_NE(row.second.find("Content-Length"), std::string::npos) << row.second;
    EXPECT_NE(row.second.find("after 3 attempts"), std::string::npos) << row.second;
  }
}

TEST_F(S3Faults, VerifyThroughCutBodiesIsAnErrorNotAChecksumMismatch)
{
  ASSERT_EQ(lastgood("repo add r " + shell_quote(S3Server::shared().url(m_prefix))).exit_code, 0);
  ASSERT_EQ(lastgood("scan").exit_code, 0);
  const std::string id = shop_backup_id();
  FaultProxy proxy(S3Server::shared().endpoint(), 9, 1.0, 2500, "truncate", true);
  point_repository_at(url_through(proxy, 2));
  const auto verified = lastgood("verify " + id + " --level checksum --json");
  EXPECT_NE(verified.exit_code, 0) << verified.out;
  const json run = json::parse(verified.out)["runs"][0];
  EXPECT_EQ(run["outcome"], "error") << run.dump(2);
  for (const auto& finding : run["findings"]) {
    EXPECT_NE(finding["kind"], "checksum_mismatch") << finding.dump();
    EXPECT_NE(finding["kind"], "size_mismatch") << finding.dump();
  }
  // The backup is not marked bad, and its recorded checksum is the true one.
  const auto listed = lastgood("backups --json");
  EXPECT_EQ(json::parse(listed.out)["backups"][0]["status"], "unverified");
  EXPECT_EQ(recorded().at("dumps/shop.dump").first, m_expected.at("dumps/shop.dump"));
}

TEST_F(S3Faults, AServerThatStallsFailsTheScanWithAClearMessage)
{
  FaultProxy proxy(S3Server::shared().endpoint(), 3, 1.0, 5000, "stall");
  // repo add asks the bucket first (exit 1, the same clear message); --no-check registers it
  // anyway, and the scan meets the stall itself.
  const auto refused = lastgood("repo add r " + shell_quote(url_through(proxy, 2)));
  EXPECT_EQ(refused.exit_code, 1) << refused.err;
  EXPECT_NE(refused.err.find("did not answer a list request"), std::string::npos) << refused.err;
  EXPECT_NE(refused.err.find("after 2 attempts"), std::string::npos) << refused.err;
  ASSERT_EQ(lastgood("repo add r --no-check " + shell_quote(url_through(proxy, 2))).exit_code, 0);
  const auto scan = lastgood("scan");
  EXPECT_EQ(scan.exit_code, 1) << scan.out << scan.err;
  EXPECT_NE(scan.err.find("listing s3://"), std::string::npos) << scan.err;
  EXPECT_NE(scan.err.find("after 2 attempts"), std::string::npos) << scan.err;
  EXPECT_TRUE(recorded().empty());
}

TEST_F(S3Faults, ThrottlingThatNeverEndsSaysSo)
{
  FaultProxy proxy(S3Server::shared().endpoint(), 4, 1.0, 1000, "503");
  const auto refused = lastgood("repo add r " + shell_quote(url_through(proxy, 3)));
  EXPECT_EQ(refused.exit_code, 1) << refused.err;
  EXPECT_NE(refused.err.find("HTTP 503 SlowDown"), std::string::npos) << refused.err;
  ASSERT_EQ(lastgood("repo add r --no-check " + shell_quote(url_through(proxy, 3))).exit_code, 0);
  const auto scan = lastgood("scan");
  EXPECT_EQ(scan.exit_code, 1) << scan.out << scan.err;
  EXPECT_NE(scan.err.find("HTTP 503 SlowDown"), std::string::npos) << scan.err;
  EXPECT_NE(scan.err.find("after 3 attempts"), std::string::npos) << scan.err;
}

} // namespace
} // namespace lastgood
