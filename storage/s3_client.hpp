#pragma once
// One signed S3 request at a time (thread-safe: callers on several threads
// share it): builds the URL of an object name, signs every attempt with
// SigV4, sends it through HttpClient (which retries), and turns failed
// answers into errors that say what to do (credentials, bucket, region).

#include "storage/credentials_chain.hpp"
#include "storage/http_client.hpp"
#include "storage/s3_url.hpp"
#include "storage/sigv4.hpp"

#include <memory>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace lastgood::storage {

using Pairs = std::vector<std::pair<std::string, std::string>>;

class S3Client
{
public:
  S3Client(S3Location location, std::shared_ptr<CredentialSource> credentials, std::string region);
  // Fixed credentials that never expire.
  S3Client(S3Location location, sigv4::Credentials credentials, std::string region)
      : S3Client(std::move(location), std::make_shared<CredentialSource>(std::move(credentials)),
                 std::move(region))
  {
  }

  // name: the object's full name in the bucket ("" for the bucket itself).
  HttpResponse send(std::string_view method, std::string_view name, const Pairs& query,
                    const Pairs& headers, std::string_view body, std::string_view what,
                    std::size_t max_body = 4 << 20);

  // Throws the error that fits a failed answer. key is what the user knows
  // the object as (relative to the repository), or "" for bucket requests.
  [[noreturn]] void fail(const HttpResponse& response, std::string_view what,
                         std::string_view key) const;

  const S3Location& location() const { return m_location; }
  const std::string& region() const { return m_region; }
  const CredentialSource& credentials() const { return *m_credentials; }
  std::string display_url() const { return m_location.url(); }
  // The repository prefix + key.
  std::string object_name(std::string_view key) const
  {
    return m_location.prefix + std::string(key);
  }

private:
  S3Location m_location;
  std::shared_ptr<CredentialSource> m_credentials; // renews temporary credentials
  std::string m_region;
  std::string m_scheme_host; // "https://bucket.s3.eu-west-1.amazonaws.com"
  std::string m_host;
  HttpClient m_http;
};

// "20261122T020000Z" for now.
std::string amz_date_now();

} // namespace lastgood::storage
