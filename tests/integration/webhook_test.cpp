// Webhook notifications against a real HTTP receiver on a loopback port
// (tests/support/webhook_receiver.py): a Slack-style JSON body, retries on
// 500 then success, bounded time when the receiver hangs or is not there,
// exit codes unchanged, and the URL's secret path never on stderr.

#include "compliance/webhook.hpp"
#include "tests/support/run_command.hpp"
#include "tests/support/temp_dir.hpp"
#include "tests/support/webhook_receiver.hpp"

#include <chrono>
#include <filesystem>
#include <fstream>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <nlohmann/json.hpp>
#include <signal.h>
#include <sys/socket.h>
#include <thread>
#include <unistd.h>

namespace lastgood {
namespace {

namespace fs = std::filesystem;
using nlohmann::json;
using testing::shell_quote;
using Clock = std::chrono::steady_clock;

const std::string kSecretPath = "/services/T0LASTGOOD/B0LASTGOOD/s3cr3tT0ken";

// The receiver (tests/support), its URL carrying a secret-looking path.
struct Receiver : testing::WebhookReceiver
{
  explicit Receiver(const std::string& options) : WebhookReceiver(options) {}
  std::string url() const { return base_url() + kSecretPath; }
};

// A loopback port nobody listens on.
int closed_port()
{
  int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  addr.sin_port = 0;
  ::bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr);
  socklen_t len = sizeof addr;
  ::getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len);
  ::close(fd);
  return ntohs(addr.sin_port);
}

TEST(Webhook, RetriesOn500ThenDeliversASlackStyleBody)
{
  Receiver receiver("--fail-first 2");
  compliance::WebhookOptions options;
  options.first_backoff = std::chrono::milliseconds(100);
  auto r = compliance::send_webhook(receiver.url(), "backup \"shop\" failed\nsee history", options);
  EXPECT_TRUE(r.delivered) << r.error;
  EXPECT_EQ(r.attempts, 3);
  EXPECT_EQ(r.last_status, 200);
  auto requests = receiver.requests();
  ASSERT_EQ(requests.size(), 3u);
  for (const auto& q : requests) {
    EXPECT_EQ(q.at("path"), kSecretPath);
    EXPECT_EQ(q.at("content_type"), "application/json");
    auto body = json::parse(q.at("body").get<std::string>());
    EXPECT_EQ(body, json({{"text", "backup \"shop\" failed\nsee history"}}));
  }
}

TEST(Webhook, ClientErrorsAreNotRetried)
{
  Receiver receiver("--fail-first 100 --status 404");
  auto r = compliance::send_webhook(receiver.url(), "x");
  EXPECT_FALSE(r.delivered);
  EXPECT_EQ(r.attempts, 1);
  EXPECT_EQ(r.last_status, 404);
  EXPECT_EQ(receiver.requests().size(), 1u);
}

TEST(Webhook, HangingReceiverIsCutOffAtTheBudget)
{
  Receiver receiver("--hang");
  compliance::WebhookOptions options;
  options.total_budget = std::chrono::milliseconds(2000);
  options.attempt_timeout = std::chrono::milliseconds(800);
  const auto start = Clock::now();
  auto r = compliance::send_webhook(receiver.url(), "x", options);
  const auto took = Clock::now() - start;
  EXPECT_FALSE(r.delivered);
  EXPECT_GE(r.attempts, 1);
  EXPECT_LT(took, std::chrono::milliseconds(3000));
  EXPECT_EQ(r.error.find("s3cr3t"), std::string::npos) << r.error;
}

TEST(Webhook, RedactsThePath)
{
  EXPECT_EQ(compliance::redact_webhook_url("https://hooks.example.com/services/T0/B0/secret?x=1"),
            "https://hooks.example.com/********");
  EXPECT_EQ(compliance::redact_webhook_url("http://user:pw@127.0.0.1:8080/a"),
            "http://127.0.0.1:8080/********");
}

class WebhookCliTest : public ::testing::Test
{
protected:
  testing::CommandResult lg(const std::string& webhook, const std::string& args)
  {
    m_home.write("config.toml", "[notify]\nwebhook = \"" + webhook + "\"\n");
    return testing::run_lastgood(
        "--catalog " + shell_quote((m_home.path() / "catalog.db").string()) + " --config " +
        shell_quote((m_home.path() / "config.toml").string()) + " " + args);
  }
  testing::TempDir m_home;
};

TEST_F(WebhookCliTest, ComplianceFailIsAnnouncedAndTheExitCodeKept)
{
  Receiver receiver("");
  ASSERT_EQ(lg(receiver.url(), "catalog init").exit_code, 0);
  auto r = lg(receiver.url(), "report"); // an empty catalog is not compliant
  EXPECT_EQ(r.exit_code, 3) << r.err;
  auto requests = receiver.requests();
  ASSERT_EQ(requests.size(), 1u);
  auto text = json::parse(requests[0].at("body").get<std::string>()).at("text").get<std::string>();
  EXPECT_NE(text.find("compliance report FAIL"), std::string::npos) << text;
  EXPECT_EQ(r.err.find("s3cr3t"), std::string::npos) << r.err;
}

TEST_F(WebhookCliTest, UnreachableReceiverNeitherFailsNorHoldsUpTheCommand)
{
  const auto url = "http://127.0.0.1:" + std::to_string(closed_port()) + kSecretPath;
  ASSERT_EQ(lg(url, "catalog init").exit_code, 0);
  const auto start = Clock::now();
  auto r = lg(url, "report");
  const auto took = Clock::now() - start;
  EXPECT_EQ(r.exit_code, 3) << r.err; // the report's own verdict, not a notification error
  EXPECT_LT(took, std::chrono::seconds(12));
  EXPECT_NE(r.err.find("not delivered"), std::string::npos) << r.err;
  EXPECT_NE(r.err.find("http://127.0.0.1:"), std::string::npos) << r.err;
  EXPECT_EQ(r.err.find("s3cr3t"), std::string::npos) << r.err;
  EXPECT_EQ(r.err.find("services/T0"), std::string::npos) << r.err;
}

TEST_F(WebhookCliTest, HangingReceiverHoldsTheCommandAtMostTenSeconds)
{
  Receiver receiver("--hang");
  ASSERT_EQ(lg(receiver.url(), "catalog init").exit_code, 0);
  const auto start = Clock::now();
  auto r = lg(receiver.url(), "report");
  const auto took = Clock::now() - start;
  EXPECT_EQ(r.exit_code, 3) << r.err;
  EXPECT_LT(took, std::chrono::seconds(12));
  EXPECT_EQ(r.err.find("s3cr3t"), std::string::npos) << r.err;
}

TEST_F(WebhookCliTest, FailedVerificationIsAnnounced)
{
  if (testing::artifacts_dir().empty())
    GTEST_SKIP() << "LASTGOOD_ARTIFACTS not set (run through ctest)";
  Receiver receiver("");
  auto repo = m_home.path() / "repo";
  fs::create_directories(repo);
  auto dump = repo / "shop.dump";
  fs::copy_file(testing::artifacts_dir() / "repo/dumps/shop.dump", dump);
  ASSERT_EQ(lg(receiver.url(), "repo add r " + shell_quote(repo.string())).exit_code, 0);
  ASSERT_EQ(lg(receiver.url(), "scan").exit_code, 0);
  { // one flipped byte in the middle: same size, different hash
    std::fstream f(dump, std::ios::in | std::ios::out | std::ios::binary);
    f.seekg(static_cast<std::streamoff>(fs::file_size(dump) / 2));
    char c = 0;
    f.read(&c, 1);
    f.seekp(static_cast<std::streamoff>(fs::file_size(dump) / 2));
    c = static_cast<char>(c ^ 0x5a);
    f.write(&c, 1);
  }
  auto r = lg(receiver.url(), "verify --level checksum");
  EXPECT_EQ(r.exit_code, 3) << r.err << r.out;
  auto requests = receiver.requests();
  ASSERT_EQ(requests.size(), 1u) << r.err;
  auto text = json::parse(requests[0].at("body").get<std::string>()).at("text").get<std::string>();
  EXPECT_NE(text.find("verification failed: "), std::string::npos) << text;
}

TEST_F(WebhookCliTest, FailedRestoreIsAnnounced)
{
  if (testing::artifacts_dir().empty())
    GTEST_SKIP() << "LASTGOOD_ARTIFACTS not set (run through ctest)";
  Receiver receiver("");
  auto repo = m_home.path() / "repo";
  fs::create_directories(repo);
  fs::copy_file(testing::artifacts_dir() / "repo/dumps/shop.dump", repo / "shop.dump");
  ASSERT_EQ(lg(receiver.url(), "repo add r " + shell_quote(repo.string())).exit_code, 0);
  ASSERT_EQ(lg(receiver.url(), "scan").exit_code, 0);
  auto id = json::parse(lg(receiver.url(), "backups --json").out)
                .at("backups")
                .at(0)
                .at("id")
                .get<std::string>();
  // Nothing listens there: the restore cannot be done.
  auto r =
      lg(receiver.url(), "restore " + id + " --to " +
                             shell_quote("host=127.0.0.1 port=" + std::to_string(closed_port()) +
                                         " dbname=postgres connect_timeout=2"));
  EXPECT_NE(r.exit_code, 0) << r.out;
  auto requests = receiver.requests();
  ASSERT_EQ(requests.size(), 1u) << r.err << r.out;
  auto text = json::parse(requests[0].at("body").get<std::string>()).at("text").get<std::string>();
  EXPECT_NE(text.find("restore failed"), std::string::npos) << text;
}

TEST_F(WebhookCliTest, UnreachablePhysicalRestoreIsAnnounced)
{
  if (testing::artifacts_dir().empty())
    GTEST_SKIP() << "LASTGOOD_ARTIFACTS not set (run through ctest)";
  Receiver receiver("");
  ASSERT_EQ(
      lg(receiver.url(), "repo add r " + shell_quote((testing::artifacts_dir() / "repo").string()))
          .exit_code,
      0);
  ASSERT_EQ(lg(receiver.url(), "scan").exit_code, 0);
  // No base backup is consistent this early: the restore cannot be done.
  auto pgdata = m_home.path() / "pgdata";
  auto r = lg(receiver.url(),
              "restore --pgdata " + shell_quote(pgdata.string()) + " --target-lsn 0/100");
  EXPECT_EQ(r.exit_code, 3) << r.out << r.err;
  EXPECT_FALSE(fs::exists(pgdata / "PG_VERSION"));
  auto requests = receiver.requests();
  ASSERT_EQ(requests.size(), 1u) << r.err << r.out;
  auto text = json::parse(requests[0].at("body").get<std::string>()).at("text").get<std::string>();
  EXPECT_NE(text.find("physical restore into"), std::string::npos) << text;
}

} // namespace
} // namespace lastgood
