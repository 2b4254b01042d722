// The drill's [[drill.redis]] check against a real redis-server on a loopback
// port: PING, SET/GET/DEL of a temporary key and DBSIZE; AUTH from the URL;
// a wrong or missing password and an unreachable server fail the step (exit 3
// through `drill`); the password never appears in any output.

#include "catalog/catalog.hpp"
#include "catalog/repositories.hpp"
#include "catalog/scanner.hpp"
#include "pg/scratch_cluster.hpp"
#include "restore/drill_redis.hpp"
#include "storage/storage.hpp"
#include "tests/support/redis_server.hpp"
#include "tests/support/run_command.hpp"
#include "tests/support/temp_dir.hpp"

#include <filesystem>
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

namespace lastgood {
namespace {

namespace fs = std::filesystem;
using nlohmann::json;
using testing::RedisServer;
using testing::TempDir;

const std::string kPassword = "r3dis-Pa55%word";
// The password as it is written in a URL (percent-encoded '%').
const std::string kUrlPassword = "r3dis-Pa55%25word";

std::string url_of(const RedisServer& server, const std::string& password, int db = 0)
{
  return "redis://" + (password.empty() ? "" : ":" + password + "@") +
         "127.0.0.1:" + std::to_string(server.port()) + "/" + std::to_string(db);
}

class DrillRedisTest : public ::testing::Test
{
protected:
  void SetUp() override
  {
    if (!RedisServer::installed()) GTEST_SKIP() << "redis-server is not installed";
  }
};

TEST(RedisUrl, ReadsHostPortPasswordAndDatabase)
{
  auto u = restore::parse_redis_url("redis://:s%40cret@cache.internal:6380/3");
  ASSERT_TRUE(u);
  EXPECT_EQ(u->host, "cache.internal");
  EXPECT_EQ(u->port, 6380);
  EXPECT_EQ(u->password, "s@cret");
  EXPECT_EQ(u->username, "");
  EXPECT_EQ(u->database, 3);
  auto acl = restore::parse_redis_url("redis://app:pw@10.0.0.1");
  ASSERT_TRUE(acl);
  EXPECT_EQ(acl->username, "app");
  EXPECT_EQ(acl->port, 6379);
  EXPECT_EQ(acl->database, 0);
  EXPECT_FALSE(restore::parse_redis_url("rediss://h:6379"));
  EXPECT_FALSE(restore::parse_redis_url("redis://h:notaport"));
  EXPECT_FALSE(restore::parse_redis_url("redis://h:6379/x"));
}

TEST_F(DrillRedisTest, PingWriteReadDeleteAndKeyCount)
{
  RedisServer server;
  server.cli("SET a 1");
  server.cli("SET b 2");
  auto step = restore::redis_step({"cache", url_of(server, "")});
  EXPECT_EQ(step.outcome, "pass") << step.detail;
  EXPECT_EQ(step.name, "redis cache");
  EXPECT_EQ(step.data["dbsize"], 2) << step.data.dump();
  EXPECT_NE(step.detail.find("DBSIZE 2 keys"), std::string::npos) << step.detail;
  EXPECT_EQ(server.cli("DBSIZE"), "2\n") << "the temporary key is deleted";
  // Another database of the same server, chosen by the URL's path.
  server.cli("-n 2 SET c 3");
  auto other = restore::redis_step({"", url_of(server, "", 2)});
  EXPECT_EQ(other.outcome, "pass") << other.detail;
  EXPECT_EQ(other.data["dbsize"], 1);
  EXPECT_EQ(other.name, "redis 127.0.0.1:" + std::to_string(server.port()));
}

TEST_F(DrillRedisTest, AuthFromTheUrlAndPasswordNeverShown)
{
  RedisServer server(kPassword);
  auto good = restore::redis_step({"cache", url_of(server, kUrlPassword)});
  EXPECT_EQ(good.outcome, "pass") << good.detail;
  EXPECT_NE(good.detail.find("AUTH ok"), std::string::npos) << good.detail;

  auto wrong = restore::redis_step({"cache", url_of(server, "not-the-password")});
  EXPECT_EQ(wrong.outcome, "fail");
  EXPECT_NE(wrong.detail.find("AUTH"), std::string::npos) << wrong.detail;
  EXPECT_NE(wrong.detail.find("check the password"), std::string::npos) << wrong.detail;
  EXPECT_EQ(wrong.detail.find("not-the-password"), std::string::npos) << wrong.detail;

  auto none = restore::redis_step({"cache", url_of(server, "")});
  EXPECT_EQ(none.outcome, "fail");
  EXPECT_NE(none.detail.find("NOAUTH"), std::string::npos) << none.detail;
  EXPECT_NE(none.detail.find("wants a password"), std::string::npos) << none.detail;

  for (const auto& step : {good, wrong, none}) {
    const auto text = step.detail + step.data.dump() + step.name;
    EXPECT_EQ(text.find("r3dis-Pa55"), std::string::npos) << text;
    EXPECT_EQ(text.find("not-the-password"), std::string::npos) << text;
  }
}

TEST_F(DrillRedisTest, NobodyListeningFails)
{
  const int port = pg::pick_free_port();
  auto step = restore::redis_step({"", "redis://127.0.0.1:" + std::to_string(port)});
  EXPECT_EQ(step.outcome, "fail");
  EXPECT_NE(step.detail.find("could not connect"), std::string::npos) << step.detail;
}

// Through `lastgood drill` and `lastgood config`: the exit codes of the drill's
// conventions (0 all passed, 3 a step failed), rediss:// refused as a
// configuration error (2), and the password in no output.
class DrillRedisCliTest : public DrillRedisTest
{
protected:
  void SetUp() override
  {
    DrillRedisTest::SetUp();
    if (IsSkipped()) return;
    if (testing::artifacts_dir().empty())
      GTEST_SKIP() << "LASTGOOD_ARTIFACTS not set (run through ctest)";
    fs::permissions(m_repo.path(), fs::perms::all);
    auto catalog = catalog::Catalog::open(catalog_path());
    auto repository = catalog::add_repository(catalog->db(), "repo", m_repo.path().string());
    m_repo.write("shop.dump",
                 testing::read_file(testing::artifacts_dir() / "repo/dumps/shop.dump"));
    auto storage = storage::open_storage(m_repo.path().string());
    catalog::scan_repository(catalog->db(), repository, *storage, {});
  }
  std::string catalog_path() const { return (m_home.path() / "catalog.db").string(); }
  testing::CommandResult lg(const std::string& redis_url, const std::string& args)
  {
    auto path = m_home.write("config.toml", "[drill]\ndatabase = \"shop\"\n[[drill.redis]]\n"
                                            "name = \"sessions\"\nurl = \"" +
                                                redis_url + "\"\n");
    return testing::run_lastgood("--catalog " + testing::shell_quote(catalog_path()) +
                                 " --config " + testing::shell_quote(path.string()) + " " + args);
  }
  static json step(const json& doc, const std::string& name)
  {
    for (const auto& s : doc["steps"])
      if (s["name"] == name) return s;
    return nullptr;
  }
  TempDir m_home, m_repo;
};

TEST_F(DrillRedisCliTest, DrillPassesWithTheRightPasswordAndFailsWithAWrongOne)
{
  RedisServer server(kPassword);
  auto good = lg(url_of(server, kUrlPassword), "drill --json");
  ASSERT_EQ(good.exit_code, 0) << good.out << good.err;
  auto doc = json::parse(good.out);
  EXPECT_EQ(step(doc, "redis sessions")["outcome"], "pass") << good.out;
  EXPECT_EQ(step(doc, "redis sessions")["data"]["dbsize"], 0) << good.out;

  auto wrong = lg(url_of(server, "wrong-Pa55word"), "drill");
  EXPECT_EQ(wrong.exit_code, 3) << wrong.out << wrong.err;
  EXPECT_NE(wrong.out.find("redis sessions"), std::string::npos) << wrong.out;

  auto shown = lg(url_of(server, kUrlPassword), "config");
  EXPECT_EQ(shown.exit_code, 0) << shown.err;
  EXPECT_NE(shown.out.find("drill.redis[0].url"), std::string::npos) << shown.out;
  for (const auto& r : {good, wrong, shown}) {
    EXPECT_EQ((r.out + r.err).find("Pa55"), std::string::npos) << r.out << r.err;
  }

  auto tls = lg("rediss://127.0.0.1:6380", "drill");
  EXPECT_EQ(tls.exit_code, 2) << tls.out << tls.err;
  EXPECT_NE(tls.err.find("rediss:// (TLS) is not supported"), std::string::npos) << tls.err;
}

} // namespace
} // namespace lastgood
