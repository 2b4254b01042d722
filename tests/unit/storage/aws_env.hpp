#pragma once
// Every variable the AWS credential providers read, cleared for one test and
// restored after it, with HOME pointed at an empty directory (no ~/.aws) and
// instance metadata pointed at a closed loopback port.

#include "tests/support/temp_dir.hpp"

#include <cstdlib>
#include <map>
#include <optional>
#include <string>

namespace lastgood::testing {

class AwsEnv
{
public:
  AwsEnv()
  {
    for (const char* name :
         {"AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN", "AWS_ROLE_ARN",
          "AWS_WEB_IDENTITY_TOKEN_FILE", "AWS_ROLE_SESSION_NAME", "AWS_ENDPOINT_URL_STS",
          "AWS_ENDPOINT_URL", "AWS_STS_REGIONAL_ENDPOINTS", "AWS_PROFILE",
          "AWS_SHARED_CREDENTIALS_FILE", "AWS_CONFIG_FILE", "AWS_EC2_METADATA_DISABLED",
          "AWS_EC2_METADATA_SERVICE_ENDPOINT", "AWS_REGION", "AWS_DEFAULT_REGION", "HOME"})
      unset(name);
    set("HOME", m_home.path().string());
    set("AWS_EC2_METADATA_SERVICE_ENDPOINT", "http://127.0.0.1:1");
  }
  ~AwsEnv()
  {
    for (const auto& [name, old] : m_saved)
      if (old)
        ::setenv(name.c_str(), old->c_str(), 1);
      else
        ::unsetenv(name.c_str());
  }
  AwsEnv(const AwsEnv&) = delete;
  AwsEnv& operator=(const AwsEnv&) = delete;

  void set(const std::string& name, const std::string& value)
  {
    save(name);
    ::setenv(name.c_str(), value.c_str(), 1);
  }
  void unset(const std::string& name)
  {
    save(name);
    ::unsetenv(name.c_str());
  }
  const TempDir& home() const { return m_home; }

private:
  void save(const std::string& name)
  {
    if (m_saved.contains(name)) return;
    const char* old = std::getenv(name.c_str());
    m_saved[name] = old ? std::optional<std::string>(old) : std::nullopt;
  }
  TempDir m_home;
  std::map<std::string, std::optional<std::string>> m_saved;
};

} // namespace lastgood::testing
