// End to end: credentials from each provider take objects to and from the
// real S3 server (s3rver checks the access key id, so a wrong key from a
// provider fails: the provider's keys are the ones used).

#include "common/error.hpp"
#include "storage/s3_storage.hpp"
#include "tests/support/loopback_http_server.hpp"
#include "tests/support/run_command.hpp"
#include "tests/support/s3_server.hpp"
#include "tests/unit/storage/aws_env.hpp"
#include "tests/unit/storage/storage_test_helpers.hpp"

#include <gtest/gtest.h>

using namespace lastgood;
using namespace lastgood::storage;
using lastgood::storage::testing::get_object;
using lastgood::storage::testing::put_object;
using lastgood::testing::AwsEnv;
using lastgood::testing::LoopbackHttpServer;
using lastgood::testing::S3Server;
using lastgood::testing::shell_quote;
using lastgood::testing::unique_s3_prefix;

namespace {

std::string keys_for_s3rver(const std::string& access_key_id = S3Server::kAccessKeyId,
                            const std::string& extra = "")
{
  return "--access-key-id " + shell_quote(access_key_id) + " --secret-access-key " +
         shell_quote(S3Server::kSecretAccessKey) + " --session-token s3rver-session " + extra;
}

void web_identity_env(AwsEnv& env, const LoopbackHttpServer& sts)
{
  env.home().write("token", "eyJhbGciOiJSUzI1NiJ9.e2e.sig");
  env.set("AWS_ROLE_ARN", "arn:aws:iam::123456789012:role/lastgood");
  env.set("AWS_WEB_IDENTITY_TOKEN_FILE", (env.home().path() / "token").string());
  env.set("AWS_ENDPOINT_URL_STS", sts.base_url());
}

// The URL first: S3Server::shared() sets AWS_ACCESS_KEY_ID, which AwsEnv then clears.
std::string s3_url(const std::string& stem)
{
  return S3Server::shared().url(unique_s3_prefix(stem));
}

std::string round_trip(const std::string& url, const std::string& stem)
{
  auto storage = open_storage(url);
  put_object(*storage, "backup.dump", "bytes of " + stem);
  EXPECT_EQ(get_object(*storage, "backup.dump"), "bytes of " + stem);
  return dynamic_cast<S3Storage&>(*storage).client().credentials().provider();
}

} // namespace

TEST(S3Credentials, WebIdentityCredentialsReachTheServer)
{
  const std::string url = s3_url("t");
  AwsEnv env;
  LoopbackHttpServer sts("sts_server.py", keys_for_s3rver());
  web_identity_env(env, sts);
  EXPECT_EQ(round_trip(url, "webid"), "web identity");
  EXPECT_EQ(sts.requests().size(), 1u);
}

TEST(S3Credentials, SharedFilesProfileCredentialsReachTheServer)
{
  const std::string url = s3_url("t");
  AwsEnv env;
  env.home().write(".aws/credentials",
                   std::string("[backup]\naws_access_key_id = ") + S3Server::kAccessKeyId +
                       "\naws_secret_access_key = " + S3Server::kSecretAccessKey + "\n");
  env.set("AWS_PROFILE", "backup");
  EXPECT_EQ(round_trip(url, "profile"), "shared credentials files");
}

TEST(S3Credentials, InstanceMetadataCredentialsReachTheServer)
{
  const std::string url = s3_url("t");
  AwsEnv env;
  LoopbackHttpServer imds("imds_server.py", keys_for_s3rver(S3Server::kAccessKeyId, "--role r"));
  env.set("AWS_EC2_METADATA_SERVICE_ENDPOINT", imds.base_url());
  EXPECT_EQ(round_trip(url, "imds"), "instance metadata");
  EXPECT_EQ(imds.requests().size(), 3u);
}

TEST(S3Credentials, AKeyFromAProviderIsTheKeyUsed)
{
  const std::string url = s3_url("t");
  AwsEnv env;
  LoopbackHttpServer sts("sts_server.py", keys_for_s3rver("ASIAUNKNOWNTOS3RVER"));
  web_identity_env(env, sts);
  auto storage = open_storage(url);
  try {
    put_object(*storage, "a", "b");
    FAIL() << "expected StorageError";
  } catch (const StorageError& e) {
    const std::string message = e.what();
    EXPECT_NE(message.find("InvalidAccessKeyId"), std::string::npos) << message;
    EXPECT_NE(message.find("they came from web identity"), std::string::npos) << message;
    EXPECT_EQ(message.find("s3rver-session"), std::string::npos) << message;
  }
}

TEST(S3Credentials, ExpiringCredentialsAreRenewedDuringALongJob)
{
  const std::string url = s3_url("t");
  AwsEnv env;
  // Four minutes left: inside the renewal margin, so each request renews first.
  LoopbackHttpServer sts("sts_server.py",
                         keys_for_s3rver(S3Server::kAccessKeyId, "--expires-in 240"));
  web_identity_env(env, sts);
  auto storage = open_storage(url);
  for (int i = 0; i < 3; ++i)
    put_object(*storage, "part-" + std::to_string(i), "x");
  EXPECT_EQ(get_object(*storage, "part-2"), "x");
  const auto& credentials = dynamic_cast<S3Storage&>(*storage).client().credentials();
  EXPECT_GE(credentials.fetches(), 5); // the first fetch and one per request
  EXPECT_EQ(sts.requests().size(), static_cast<std::size_t>(credentials.fetches()));
}
