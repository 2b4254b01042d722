// lastgood itself, with S3 credentials from web identity and from instance
// metadata (loopback STS and IMDS servers) scanning real backups in the real
// S3 server; the secrets reach neither the output nor the catalog.

#include "storage/s3_storage.hpp"
#include "tests/support/loopback_http_server.hpp"
#include "tests/support/run_command.hpp"
#include "tests/support/s3_server.hpp"
#include "tests/support/temp_dir.hpp"
#include "tests/unit/storage/storage_test_helpers.hpp"

#include <filesystem>
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

namespace lastgood {
namespace {

namespace fs = std::filesystem;
using testing::LoopbackHttpServer;
using testing::S3Server;
using testing::shell_quote;
using testing::TempDir;

constexpr const char* kSessionToken = "IQoJb3JpZ2luX2VjEXAMPLE-session-token-from-provider";

std::string provider_options(const std::string& access_key_id, const std::string& extra = "")
{
  return "--access-key-id " + shell_quote(access_key_id) + " --secret-access-key " +
         shell_quote(S3Server::kSecretAccessKey) + " --session-token " + kSessionToken + " " +
         extra;
}

class S3CredentialsCli : public ::testing::Test
{
protected:
  void SetUp() override
  {
    if (testing::artifacts_dir().empty())
      GTEST_SKIP() << "LASTGOOD_ARTIFACTS not set (run through ctest)";
    m_url = S3Server::shared().url(testing::unique_s3_prefix("creds"));
    auto bucket = storage::open_storage(m_url); // with s3rver's keys, to fill the bucket
    const fs::path source = testing::artifacts_dir() / "repo" / "dumps";
    for (const auto& entry : fs::recursive_directory_iterator(source)) {
      if (!entry.is_regular_file()) continue;
      storage::testing::put_object(*bucket, "dumps/" + fs::relative(entry.path(), source).string(),
                                   testing::read_file(entry.path()));
      ++m_objects;
    }
    ASSERT_GT(m_objects, 5u);
    m_home.write("token", "eyJhbGciOiJSUzI1NiJ9.cli-token.sig");
  }

  // lastgood with only the given AWS settings: no AWS_* keys, an empty HOME.
  testing::CommandResult lastgood(const std::string& aws_env, const std::string& args)
  {
    return testing::run_shell(
        "env -u AWS_ACCESS_KEY_ID -u AWS_SECRET_ACCESS_KEY -u AWS_SESSION_TOKEN -u AWS_PROFILE "
        "-u AWS_ROLE_ARN -u AWS_WEB_IDENTITY_TOKEN_FILE -u LASTGOOD_CONFIG HOME=" +
        shell_quote(m_home.path().string()) +
        " AWS_EC2_METADATA_SERVICE_ENDPOINT=http://127.0.0.1:1 " + aws_env + " " +
        shell_quote(testing::lastgood_binary()) + " --catalog " +
        shell_quote((m_home.path() / "catalog.db").string()) + " " + args);
  }

  std::string web_identity_env(const LoopbackHttpServer& sts) const
  {
    return "AWS_ROLE_ARN=arn:aws:iam::123456789012:role/lastgood AWS_WEB_IDENTITY_TOKEN_FILE=" +
           shell_quote((m_home.path() / "token").string()) +
           " AWS_ENDPOINT_URL_STS=" + sts.base_url();
  }

  // Scans through the credentials `aws_env` gives and checks every object
  // was hashed, and that no secret is in the output or the catalog file.
  void scan_succeeds(const std::string& aws_env)
  {
    const auto added = lastgood(aws_env, "repo add bucket " + shell_quote(m_url));
    ASSERT_EQ(added.exit_code, 0) << added.err;
    const auto scan = lastgood(aws_env, "-v scan --json");
    ASSERT_EQ(scan.exit_code, 0) << scan.out << scan.err;
    const auto listed = lastgood(aws_env, "backups --json");
    ASSERT_EQ(listed.exit_code, 0) << listed.err;
    EXPECT_FALSE(nlohmann::json::parse(listed.out)["backups"].empty()) << listed.out;
    const std::string catalog = testing::read_file(m_home.path() / "catalog.db");
    for (const std::string& secret : {std::string(kSessionToken), std::string("cli-token")}) {
      EXPECT_EQ(scan.out.find(secret), std::string::npos);
      EXPECT_EQ(scan.err.find(secret), std::string::npos);
      EXPECT_EQ(catalog.find(secret), std::string::npos) << secret << " in the catalog";
    }
  }

  TempDir m_home;
  std::string m_url;
  std::size_t m_objects = 0;
};

TEST_F(S3CredentialsCli, ScanWithWebIdentityCredentials)
{
  LoopbackHttpServer sts("sts_server.py", provider_options(S3Server::kAccessKeyId));
  scan_succeeds(web_identity_env(sts));
  EXPECT_GE(sts.requests().size(), 2u); // each command asked STS
}

TEST_F(S3CredentialsCli, ScanWithInstanceMetadataCredentials)
{
  LoopbackHttpServer imds("imds_server.py", provider_options(S3Server::kAccessKeyId, "--role r"));
  scan_succeeds("AWS_EC2_METADATA_SERVICE_ENDPOINT=" + imds.base_url());
  EXPECT_GE(imds.requests().size(), 6u);
}

TEST_F(S3CredentialsCli, KeysTheBucketRefusesFailTheScanNamingTheirSource)
{
  LoopbackHttpServer sts("sts_server.py", provider_options("ASIANOTKNOWNTOS3RVER"));
  const std::string env = web_identity_env(sts);
  // repo add asks the bucket first and refuses, naming the source too.
  const auto added = lastgood(env, "repo add bucket " + shell_quote(m_url));
  EXPECT_EQ(added.exit_code, 1) << added.out << added.err;
  EXPECT_NE(added.err.find("they came from web identity"), std::string::npos) << added.err;
  EXPECT_EQ(added.err.find(kSessionToken), std::string::npos) << added.err;
  ASSERT_EQ(lastgood(env, "repo add --no-check bucket " + shell_quote(m_url)).exit_code, 0);
  const auto scan = lastgood(env, "scan");
  EXPECT_EQ(scan.exit_code, 1) << scan.out << scan.err;
  EXPECT_NE(scan.err.find("they came from web identity"), std::string::npos) << scan.err;
  EXPECT_EQ(scan.err.find(kSessionToken), std::string::npos) << scan.err;
}

TEST_F(S3CredentialsCli, NoCredentialsAnywhereIsAUsageErrorListingEverySource)
{
  // repo add opens the repository, so it is the first to say so.
  const auto added = lastgood("", "repo add bucket " + shell_quote(m_url));
  EXPECT_EQ(added.exit_code, 2) << added.out << added.err;
  for (const char* source : {"[s3] configuration", "environment", "web identity",
                             "shared credentials files", "instance metadata"})
    EXPECT_NE(added.err.find(source), std::string::npos) << source << " in " << added.err;
}

} // namespace
} // namespace lastgood
