#include "common/error.hpp"
#include "storage/credential_providers.hpp"

namespace lastgood::storage {

std::optional<AwsCredentials> ConfigCredentialProvider::load(std::string& why_not)
{
  const bool has_id = !m_config.access_key_id.empty();
  const bool has_secret = !m_config.secret_access_key.empty();
  if (!has_id && !has_secret) {
    why_not = "s3.access_key_id is not set";
    return std::nullopt;
  }
  if (!has_id || !has_secret)
    throw UsageError(std::string("[s3] configuration: ") +
                     (has_id ? "s3.secret_access_key" : "s3.access_key_id") +
                     " is missing; set both s3.access_key_id and s3.secret_access_key, or "
                     "neither to use the other credential sources");
  return AwsCredentials{
      {m_config.access_key_id, m_config.secret_access_key, m_config.session_token},
      std::nullopt,
      name()};
}

} // namespace lastgood::storage
