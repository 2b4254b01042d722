#pragma once
// AWS credentials and where they come from. Each provider (one file each:
// credentials_config, credentials_env, credentials_web_identity,
// credentials_shared_files, credentials_imds) answers one question: "are
// credentials configured here, and what are they?". The chain
// (credentials_chain) asks them in the standard order.

#include "common/time.hpp"
#include "storage/sigv4.hpp"

#include <memory>
#include <optional>
#include <string>

namespace lastgood::storage {

struct AwsCredentials
{
  sigv4::Credentials keys;
  std::optional<TimePoint> expiration; // temporary credentials only
  std::string provider;                // "web identity", for messages and logs
};

class CredentialProvider
{
public:
  virtual ~CredentialProvider() = default;
  // Short name used in messages: "environment", "instance metadata"...
  virtual std::string name() const = 0;
  // std::nullopt when this provider is not configured (its variables are not
  // set, its file does not exist, no metadata service answers); `why_not`
  // then says so in a few words for the "no credentials" message. Throws
  // (UsageError or StorageError, starting with the provider's name) when it
  // is configured but fails: the chain stops there instead of silently using
  // other credentials. Never puts a secret in a message.
  virtual std::optional<AwsCredentials> load(std::string& why_not) = 0;
};

} // namespace lastgood::storage
