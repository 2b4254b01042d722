#include "common/error.hpp"
#include "storage/credential_providers.hpp"

#include <cstdlib>

namespace lastgood::storage {

std::string env_value(const char* name)
{
  const char* value = std::getenv(name);
  return value ? value : "";
}

std::optional<AwsCredentials> EnvCredentialProvider::load(std::string& why_not)
{
  const std::string id = env_value("AWS_ACCESS_KEY_ID");
  const std::string secret = env_value("AWS_SECRET_ACCESS_KEY");
  if (id.empty() && secret.empty()) {
    why_not = "AWS_ACCESS_KEY_ID is not set";
    return std::nullopt;
  }
  if (id.empty() || secret.empty())
    throw UsageError(std::string("environment: ") +
                     (id.empty() ? "AWS_ACCESS_KEY_ID" : "AWS_SECRET_ACCESS_KEY") +
                     " is not set but " +
                     (id.empty() ? "AWS_SECRET_ACCESS_KEY" : "AWS_ACCESS_KEY_ID") +
                     " is; set both, or neither to use the other credential sources");
  return AwsCredentials{{id, secret, env_value("AWS_SESSION_TOKEN")}, std::nullopt, name()};
}

} // namespace lastgood::storage
