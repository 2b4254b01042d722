#include "storage/credentials_chain.hpp"

#include "common/error.hpp"
#include "storage/credential_providers.hpp"

#include <spdlog/spdlog.h>

namespace lastgood::storage {

CredentialProviders standard_providers(const S3Config& config, const std::string& region)
{
  CredentialProviders providers;
  providers.push_back(std::make_unique<ConfigCredentialProvider>(config));
  providers.push_back(std::make_unique<EnvCredentialProvider>());
  providers.push_back(std::make_unique<WebIdentityCredentialProvider>(region));
  providers.push_back(std::make_unique<SharedFilesCredentialProvider>(config.profile));
  providers.push_back(std::make_unique<ImdsCredentialProvider>());
  return providers;
}

CredentialSource::CredentialSource(CredentialProviders providers, const std::string& what)
    : m_providers(std::move(providers))
{
  std::string reasons;
  for (m_index = 0; m_index < m_providers.size(); ++m_index) {
    std::string why_not;
    auto found = m_providers[m_index]->load(why_not);
    if (found) {
      m_credentials = std::move(*found);
      m_fetches = 1;
      spdlog::debug("S3 credentials for {} from {}", what, m_credentials.provider);
      return;
    }
    reasons += "; " + m_providers[m_index]->name() + ": " + why_not;
  }
  throw UsageError("no S3 credentials for " + what + reasons +
                   ". Set s3.access_key_id and s3.secret_access_key, or AWS_ACCESS_KEY_ID and "
                   "AWS_SECRET_ACCESS_KEY, or a profile in ~/.aws/credentials (AWS_PROFILE), or "
                   "run where web identity (AWS_ROLE_ARN) or instance metadata give credentials "
                   "(docs/s3.md, \"Credentials\")");
}

CredentialSource::CredentialSource(sigv4::Credentials fixed)
    : m_credentials{std::move(fixed), std::nullopt, "fixed"}, m_fetches(1)
{
}

sigv4::Credentials CredentialSource::current()
{
  std::lock_guard lock(m_mutex);
  if (!m_credentials.expiration || m_index >= m_providers.size()) return m_credentials.keys;
  const auto now = Clock::now();
  if (now + kRefreshBeforeExpiry < *m_credentials.expiration) return m_credentials.keys;

  auto& provider = *m_providers[m_index];
  try {
    std::string why_not;
    auto renewed = provider.load(why_not);
    if (!renewed)
      throw StorageError(provider.name() + " gave S3 credentials before but no longer does (" +
                         why_not + "); check its settings, then run the command again");
    m_credentials = std::move(*renewed);
    ++m_fetches;
    spdlog::debug("S3 credentials renewed from {}", provider.name());
  } catch (const Error& e) {
    // Still valid for a while: keep signing with them and try again next time.
    if (now >= *m_credentials.expiration) throw;
    spdlog::warn(
        "cannot renew S3 credentials yet ({}); the current ones stay valid until {}", e.what(),
        format_rfc3339(std::chrono::floor<std::chrono::seconds>(*m_credentials.expiration)));
  }
  return m_credentials.keys;
}

std::string CredentialSource::provider() const
{
  std::lock_guard lock(m_mutex);
  return m_credentials.provider;
}

int CredentialSource::fetches() const
{
  std::lock_guard lock(m_mutex);
  return m_fetches;
}

} // namespace lastgood::storage
