#pragma once
// The credential providers, in the order the chain asks them (docs/s3.md,
// "Credentials"). Each lives in its own file: credentials_<name>.cpp.

#include "common/config.hpp"
#include "storage/aws_credentials.hpp"

#include <chrono>
#include <string>

namespace lastgood::storage {

// 1. access_key_id / secret_access_key / session_token in lastgood's own [s3]
//    section (or LASTGOOD_S3_*): written for lastgood, so it wins.
class ConfigCredentialProvider : public CredentialProvider
{
public:
  explicit ConfigCredentialProvider(S3Config config) : m_config(std::move(config)) {}
  std::string name() const override { return "[s3] configuration"; }
  std::optional<AwsCredentials> load(std::string& why_not) override;

private:
  S3Config m_config;
};

// 2. AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY, AWS_SESSION_TOKEN.
class EnvCredentialProvider : public CredentialProvider
{
public:
  std::string name() const override { return "environment"; }
  std::optional<AwsCredentials> load(std::string& why_not) override;
};

// 3. AWS_ROLE_ARN + AWS_WEB_IDENTITY_TOKEN_FILE (EKS IRSA and others): STS
//    AssumeRoleWithWebIdentity, an unsigned request. The endpoint is
//    AWS_ENDPOINT_URL_STS, else AWS_ENDPOINT_URL, else the regional
//    https://sts.REGION.amazonaws.com (global https://sts.amazonaws.com when
//    no region is known or AWS_STS_REGIONAL_ENDPOINTS=legacy), as the AWS CLI v2.
class WebIdentityCredentialProvider : public CredentialProvider
{
public:
  explicit WebIdentityCredentialProvider(std::string region) : m_region(std::move(region)) {}
  std::string name() const override { return "web identity"; }
  std::optional<AwsCredentials> load(std::string& why_not) override;

private:
  std::string m_region;
};

// The STS endpoint the web identity provider uses (see above).
std::string sts_endpoint(const std::string& region);

// 4. ~/.aws/credentials ([NAME]) then ~/.aws/config ([profile NAME], or
//    [default]) for the profile: `profile` if given ([s3] profile), else
//    AWS_PROFILE, else "default". AWS_SHARED_CREDENTIALS_FILE and
//    AWS_CONFIG_FILE move the files. A profile named explicitly but found in
//    neither file is an error.
class SharedFilesCredentialProvider : public CredentialProvider
{
public:
  explicit SharedFilesCredentialProvider(std::string profile) : m_profile(std::move(profile)) {}
  std::string name() const override { return "shared credentials files"; }
  std::optional<AwsCredentials> load(std::string& why_not) override;

private:
  std::string m_profile;
};

// The profile's `region` in the shared config file, or "" (no file, no key).
std::string shared_config_region(const std::string& profile);
// The profile the shared files provider uses: `configured`, AWS_PROFILE, "default".
std::string effective_profile(const std::string& configured);

// 5. EC2 instance metadata, IMDSv2 only (a session token first, then the
//    role's credentials). AWS_EC2_METADATA_SERVICE_ENDPOINT moves it
//    (default http://169.254.169.254); AWS_EC2_METADATA_DISABLED=true turns it
//    off. One attempt with a short timeout: a machine without a metadata
//    service must not hang.
class ImdsCredentialProvider : public CredentialProvider
{
public:
  explicit ImdsCredentialProvider(std::chrono::milliseconds timeout = std::chrono::seconds(1))
      : m_timeout(timeout)
  {
  }
  std::string name() const override { return "instance metadata"; }
  std::optional<AwsCredentials> load(std::string& why_not) override;

private:
  std::chrono::milliseconds m_timeout;
};

// Environment variable value, "" when unset.
std::string env_value(const char* name);

} // namespace lastgood::storage
