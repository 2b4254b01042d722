#pragma once
// The standard order of credential providers, and the credentials an S3
// client signs with: found once, refreshed from the same provider before
// temporary credentials expire.

#include "common/config.hpp"
#include "storage/aws_credentials.hpp"

#include <chrono>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

namespace lastgood::storage {

using CredentialProviders = std::vector<std::unique_ptr<CredentialProvider>>;

// [s3] configuration, environment, web identity, shared files, instance metadata.
CredentialProviders standard_providers(const S3Config& config, const std::string& region);

// Temporary credentials are renewed this long before their Expiration.
inline constexpr std::chrono::minutes kRefreshBeforeExpiry{5};

class CredentialSource
{
public:
  // Asks each provider in turn; the first that has credentials wins. Throws
  // UsageError listing why each had none (for `what`, e.g. the repository URL),
  // or the error of the first provider that is configured but fails.
  CredentialSource(CredentialProviders providers, const std::string& what);
  // Fixed credentials (tests, callers that already hold keys).
  explicit CredentialSource(sigv4::Credentials fixed);

  // The credentials to sign the next request with, renewed first when they
  // expire within kRefreshBeforeExpiry. Thread-safe.
  sigv4::Credentials current();
  // Which provider gave them ("web identity"...), for logs and tests.
  std::string provider() const;
  // How many times credentials were fetched (1 + refreshes).
  int fetches() const;

private:
  mutable std::mutex m_mutex;
  CredentialProviders m_providers;
  std::size_t m_index = 0;
  AwsCredentials m_credentials;
  int m_fetches = 0;
};

} // namespace lastgood::storage
