// The credential providers one by one and in their order, against loopback
// servers that speak the STS and IMDS protocols (tests/support/*_server.py).

#include "common/error.hpp"
#include "storage/credential_providers.hpp"
#include "storage/credentials_chain.hpp"
#include "tests/support/loopback_http_server.hpp"
#include "tests/support/run_command.hpp"
#include "tests/support/temp_dir.hpp"
#include "tests/unit/storage/aws_env.hpp"

#include <gtest/gtest.h>

using namespace lastgood;
using namespace lastgood::storage;
using lastgood::testing::AwsEnv;
using lastgood::testing::LoopbackHttpServer;
using lastgood::testing::shell_quote;
using lastgood::testing::TempDir;

namespace {

std::string server_options(const std::string& id, const std::string& extra = "")
{
  return "--access-key-id " + shell_quote(id) + " --secret-access-key " +
         shell_quote("secret-of-" + id) + " --session-token " + shell_quote("token-of-" + id) +
         " " + extra;
}

std::string chain_provider(const S3Config& config = {})
{
  return CredentialSource(standard_providers(config, "us-east-1"), "s3://b/p").provider();
}

std::string usage_error_of(const std::function<void()>& action)
{
  try {
    action();
  } catch (const UsageError& e) {
    return e.what();
  }
  ADD_FAILURE() << "expected UsageError";
  return {};
}

} // namespace

TEST(Credentials, ConfigThenEnvironment)
{
  AwsEnv env;
  env.set("AWS_ACCESS_KEY_ID", "ENVKEY");
  env.set("AWS_SECRET_ACCESS_KEY", "env-secret");
  S3Config config;
  config.access_key_id = "CONFIGKEY";
  config.secret_access_key = "config-secret";
  CredentialSource source(standard_providers(config, "us-east-1"), "s3://b/p");
  EXPECT_EQ(source.provider(), "[s3] configuration");
  EXPECT_EQ(source.current().access_key_id, "CONFIGKEY");
  EXPECT_EQ(chain_provider(), "environment");
  EXPECT_EQ(CredentialSource(standard_providers({}, ""), "x").current().secret_access_key,
            "env-secret");
}

TEST(Credentials, HalfAPairIsAnErrorNotAFallThrough)
{
  AwsEnv env;
  env.set("AWS_ACCESS_KEY_ID", "ENVKEY");
  const std::string message = usage_error_of([] { chain_provider(); });
  EXPECT_NE(message.find("environment: AWS_SECRET_ACCESS_KEY is not set"), std::string::npos)
      << message;
  S3Config config;
  config.secret_access_key = "only-the-secret";
  const std::string config_message = usage_error_of([&] { chain_provider(config); });
  EXPECT_NE(config_message.find("s3.access_key_id is missing"), std::string::npos);
  EXPECT_EQ(config_message.find("only-the-secret"), std::string::npos);
}

TEST(Credentials, NoneAnywhereSaysWhyForEachProvider)
{
  AwsEnv env;
  env.set("AWS_EC2_METADATA_SERVICE_ENDPOINT", "http://127.0.0.1:1"); // refused at once
  const std::string message = usage_error_of([] { chain_provider(); });
  for (const char* part :
       {"no S3 credentials for s3://b/p", "[s3] configuration: s3.access_key_id is not set",
        "environment: AWS_ACCESS_KEY_ID is not set", "web identity: AWS_ROLE_ARN is not set",
        "shared credentials files: no [default] profile",
        "instance metadata: no metadata service answers at http://127.0.0.1:1"})
    EXPECT_NE(message.find(part), std::string::npos) << part << " in " << message;
  // The order is the documented one.
  EXPECT_LT(message.find("[s3] configuration"), message.find("environment"));
  EXPECT_LT(message.find("environment"), message.find("web identity"));
  EXPECT_LT(message.find("web identity"), message.find("shared credentials files"));
  EXPECT_LT(message.find("shared credentials files"), message.find("instance metadata"));
}

TEST(Credentials, SharedFilesDefaultProfileNamedProfileAndConfigFile)
{
  AwsEnv env;
  const auto& dir = env.home();
  dir.write(".aws/credentials", "[default]\naws_access_key_id = DEFAULTKEY\n"
                                "aws_secret_access_key = default-secret\n"
                                "[prod]\naws_access_key_id = PRODKEY\n"
                                "aws_secret_access_key = prod-secret\n"
                                "aws_session_token = prod-token\n");
  dir.write(".aws/config", "[default]\nregion = eu-central-1\n"
                           "[profile prod]\nregion = eu-west-1\n"
                           "[profile cfgonly]\naws_access_key_id = CFGKEY\n"
                           "aws_secret_access_key = cfg-secret\n"
                           "[prod]\nregion = wrong-section-for-config-file\n");
  EXPECT_EQ(chain_provider(), "shared credentials files");
  EXPECT_EQ(CredentialSource(standard_providers({}, ""), "x").current().access_key_id,
            "DEFAULTKEY");
  EXPECT_EQ(shared_config_region(""), "eu-central-1");

  env.set("AWS_PROFILE", "prod");
  const auto prod = CredentialSource(standard_providers({}, ""), "x").current();
  EXPECT_EQ(prod.access_key_id, "PRODKEY");
  EXPECT_EQ(prod.session_token, "prod-token");
  EXPECT_EQ(shared_config_region(""), "eu-west-1");

  // s3.profile beats AWS_PROFILE; the config file's [profile x] holds keys too.
  S3Config config;
  config.profile = "cfgonly";
  EXPECT_EQ(CredentialSource(standard_providers(config, ""), "x").current().access_key_id,
            "CFGKEY");
}

TEST(Credentials, SharedFilesMovedByTheirVariables)
{
  AwsEnv env;
  TempDir elsewhere;
  elsewhere.write("creds", "[default]\naws_access_key_id = MOVEDKEY\naws_secret_access_key = s\n");
  elsewhere.write("conf", "[default]\nregion = sa-east-1\n");
  env.set("AWS_SHARED_CREDENTIALS_FILE", (elsewhere.path() / "creds").string());
  env.set("AWS_CONFIG_FILE", (elsewhere.path() / "conf").string());
  EXPECT_EQ(CredentialSource(standard_providers({}, ""), "x").current().access_key_id, "MOVEDKEY");
  EXPECT_EQ(shared_config_region(""), "sa-east-1");
}

TEST(Credentials, NamedProfileThatDoesNotExistIsAnError)
{
  AwsEnv env;
  env.home().write(".aws/credentials", "[default]\naws_access_key_id = K\n"
                                       "aws_secret_access_key = s\n");
  env.set("AWS_PROFILE", "typo");
  const std::string message = usage_error_of([] { chain_provider(); });
  EXPECT_NE(message.find("profile 'typo' is in neither"), std::string::npos) << message;
}

TEST(Credentials, ProfileThatAssumesARoleIsNotSilentlySkipped)
{
  AwsEnv env;
  env.home().write(".aws/config", "[profile ops]\nrole_arn = arn:aws:iam::1:role/r\n"
                                  "source_profile = default\n");
  env.set("AWS_PROFILE", "ops");
  const std::string message = usage_error_of([] { chain_provider(); });
  EXPECT_NE(message.find("gets credentials with role_arn"), std::string::npos) << message;
}

TEST(Credentials, WebIdentityAsksStsWithTheTokenUnsigned)
{
  AwsEnv env;
  LoopbackHttpServer sts("sts_server.py", server_options("ASIASTSKEY"));
  env.home().write("token", "eyJhbGciOiJSUzI1NiJ9.payload.signature\n");
  env.set("AWS_ROLE_ARN", "arn:aws:iam::123456789012:role/lastgood");
  env.set("AWS_WEB_IDENTITY_TOKEN_FILE", (env.home().path() / "token").string());
  env.set("AWS_ROLE_SESSION_NAME", "nightly-scan");
  env.set("AWS_ENDPOINT_URL_STS", sts.base_url());
  // Web identity comes before the shared files.
  env.home().write(".aws/credentials", "[default]\naws_access_key_id = FILEKEY\n"
                                       "aws_secret_access_key = s\n");
  CredentialSource source(standard_providers({}, "eu-west-1"), "x");
  EXPECT_EQ(source.provider(), "web identity");
  const auto keys = source.current();
  EXPECT_EQ(keys.access_key_id, "ASIASTSKEY");
  EXPECT_EQ(keys.secret_access_key, "secret-of-ASIASTSKEY");
  EXPECT_EQ(keys.session_token, "token-of-ASIASTSKEY");

  const auto requests = sts.requests();
  ASSERT_EQ(requests.size(), 1u);
  EXPECT_EQ(requests[0]["method"], "POST");
  EXPECT_TRUE(requests[0]["authorization"].is_null()) << "STS web identity calls are unsigned";
  const auto& params = requests[0]["params"];
  EXPECT_EQ(params["Action"], "AssumeRoleWithWebIdentity");
  EXPECT_EQ(params["Version"], "2011-06-15");
  EXPECT_EQ(params["RoleArn"], "arn:aws:iam::123456789012:role/lastgood");
  EXPECT_EQ(params["RoleSessionName"], "nightly-scan");
  EXPECT_EQ(params["WebIdentityToken"], "eyJhbGciOiJSUzI1NiJ9.payload.signature");
}

TEST(Credentials, WebIdentityRefusedSaysWhichProviderAndWhatToDo)
{
  AwsEnv env;
  LoopbackHttpServer sts("sts_server.py", server_options("K", "--deny AccessDenied"));
  env.home().write("token", "secret-jwt-value");
  env.set("AWS_ROLE_ARN", "arn:aws:iam::1:role/r");
  env.set("AWS_WEB_IDENTITY_TOKEN_FILE", (env.home().path() / "token").string());
  env.set("AWS_ENDPOINT_URL_STS", sts.base_url());
  try {
    chain_provider();
    FAIL() << "expected StorageError";
  } catch (const StorageError& e) {
    const std::string message = e.what();
    EXPECT_NE(message.find("web identity: STS at " + sts.base_url() +
                           " refused AssumeRoleWithWebIdentity for role arn:aws:iam::1:role/r: "
                           "HTTP 403 AccessDenied"),
              std::string::npos)
        << message;
    EXPECT_NE(message.find("trust policy"), std::string::npos) << message;
    EXPECT_EQ(message.find("secret-jwt-value"), std::string::npos) << message;
  }
}

TEST(Credentials, WebIdentityNeedsBothVariablesAndAReadableToken)
{
  AwsEnv env;
  env.set("AWS_ROLE_ARN", "arn:aws:iam::1:role/r");
  EXPECT_NE(usage_error_of([] {
              chain_provider();
            }).find("web identity: AWS_WEB_IDENTITY_TOKEN_FILE is not set"),
            std::string::npos);
  env.set("AWS_WEB_IDENTITY_TOKEN_FILE", (env.home().path() / "absent").string());
  EXPECT_NE(usage_error_of([] { chain_provider(); }).find("cannot read the token file"),
            std::string::npos);
}

TEST(Credentials, StsEndpointAsTheAwsCliChoosesIt)
{
  AwsEnv env;
  EXPECT_EQ(sts_endpoint("eu-west-1"), "https://sts.eu-west-1.amazonaws.com");
  EXPECT_EQ(sts_endpoint(""), "https://sts.amazonaws.com");
  env.set("AWS_STS_REGIONAL_ENDPOINTS", "legacy");
  EXPECT_EQ(sts_endpoint("eu-west-1"), "https://sts.amazonaws.com");
  env.set("AWS_ENDPOINT_URL", "http://127.0.0.1:4566/");
  EXPECT_EQ(sts_endpoint("eu-west-1"), "http://127.0.0.1:4566");
  env.set("AWS_ENDPOINT_URL_STS", "https://sts.internal");
  EXPECT_EQ(sts_endpoint("eu-west-1"), "https://sts.internal");
}

TEST(Credentials, InstanceMetadataTokenFirstThenRoleThenCredentials)
{
  AwsEnv env;
  LoopbackHttpServer imds("imds_server.py", server_options("ASIAIMDSKEY", "--role backup-role"));
  env.set("AWS_EC2_METADATA_SERVICE_ENDPOINT", imds.base_url());
  CredentialSource source(standard_providers({}, ""), "x");
  EXPECT_EQ(source.provider(), "instance metadata");
  const auto keys = source.current();
  EXPECT_EQ(keys.access_key_id, "ASIAIMDSKEY");
  EXPECT_EQ(keys.secret_access_key, "secret-of-ASIAIMDSKEY");
  EXPECT_EQ(keys.session_token, "token-of-ASIAIMDSKEY");

  const auto requests = imds.requests();
  ASSERT_EQ(requests.size(), 3u);
  EXPECT_EQ(requests[0]["method"], "PUT");
  EXPECT_EQ(requests[0]["path"], "/latest/api/token");
  EXPECT_EQ(requests[1]["path"], "/latest/meta-data/iam/security-credentials/");
  EXPECT_EQ(requests[2]["path"], "/latest/meta-data/iam/security-credentials/backup-role");
  EXPECT_TRUE(requests[1]["token"].is_string());
  EXPECT_EQ(requests[1]["token"], requests[2]["token"]);
}

TEST(Credentials, InstanceMetadataWithoutRoleOrDisabledGivesNone)
{
  AwsEnv env;
  LoopbackHttpServer imds("imds_server.py", server_options("K"));
  env.set("AWS_EC2_METADATA_SERVICE_ENDPOINT", imds.base_url());
  ImdsCredentialProvider provider;
  std::string why_not;
  EXPECT_FALSE(provider.load(why_not).has_value());
  EXPECT_EQ(why_not, "this instance has no IAM role (instance profile)");
  const auto before = imds.requests().size();
  env.set("AWS_EC2_METADATA_DISABLED", "true");
  EXPECT_FALSE(provider.load(why_not).has_value());
  EXPECT_EQ(why_not, "AWS_EC2_METADATA_DISABLED is true");
  EXPECT_EQ(imds.requests().size(), before) << "disabled means not asked";
}

TEST(Credentials, TemporaryCredentialsAreRenewedBeforeTheyExpire)
{
  AwsEnv env;
  // Expiring in 4 minutes: inside the 5-minute margin, so every use renews.
  LoopbackHttpServer soon("imds_server.py",
                          server_options("ASIASOON", "--role r --expires-in 240"));
  env.set("AWS_EC2_METADATA_SERVICE_ENDPOINT", soon.base_url());
  CredentialSource renewing(standard_providers({}, ""), "x");
  renewing.current();
  renewing.current();
  EXPECT_EQ(renewing.fetches(), 3);
  EXPECT_EQ(soon.requests().size(), 9u); // three rounds of token, role, credentials

  LoopbackHttpServer later("imds_server.py", server_options("ASIALATER", "--role r"));
  env.set("AWS_EC2_METADATA_SERVICE_ENDPOINT", later.base_url());
  CredentialSource lasting(standard_providers({}, ""), "x");
  lasting.current();
  lasting.current();
  EXPECT_EQ(lasting.fetches(), 1);
  EXPECT_EQ(later.requests().size(), 3u);
}
