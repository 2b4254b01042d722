#include "storage/s3_client.hpp"

#include "common/error.hpp"
#include "common/redact.hpp"
#include "storage/s3_xml.hpp"

#include <chrono>
#include <ctime>

namespace lastgood::storage {

namespace {

RetryPolicy policy_of(const S3Location& location)
{
  RetryPolicy policy;
  policy.max_attempts = location.max_attempts;
  policy.timeout = location.timeout;
  return policy;
}

std::string quoted(std::string_view key)
{
  return "'" + std::string(key) + "'";
}

} // namespace

std::string amz_date_now()
{
  const std::time_t now = std::time(nullptr);
  std::tm utc{};
  gmtime_r(&now, &utc);
  char buffer[32];
  std::strftime(buffer, sizeof buffer, "%Y%m%dT%H%M%SZ", &utc);
  return buffer;
}

S3Client::S3Client(S3Location location, std::shared_ptr<CredentialSource> credentials,
                   std::string region)
    : m_location(std::move(location)), m_credentials(std::move(credentials)),
      m_region(std::move(region)), m_http(policy_of(m_location))
{
  const std::string base = m_location.base_url(m_region);
  m_host = m_location.host(m_region);
  m_scheme_host = base.substr(0, base.find("://") + 3) + m_host;
}

HttpResponse S3Client::send(std::string_view method, std::string_view name, const Pairs& query,
                            const Pairs& headers, std::string_view body, std::string_view what,
                            std::size_t max_body)
{
  const std::string payload_hash = sigv4::hex_sha256(body);
  const sigv4::Scope scope{m_region, "s3"};
  auto prepare = [&]() {
    sigv4::Request signed_request;
    signed_request.method = std::string(method);
    signed_request.path = m_location.path_for(name);
    signed_request.query = query;
    signed_request.payload_hash = payload_hash;
    const std::string date = amz_date_now();
    const sigv4::Credentials credentials = m_credentials->current();
    signed_request.headers = {
        {"host", m_host}, {"x-amz-date", date}, {"x-amz-content-sha256", payload_hash}};
    if (!credentials.session_token.empty())
      signed_request.headers.emplace_back("x-amz-security-token", credentials.session_token);
    for (const auto& header : headers)
      signed_request.headers.push_back(header);

    HttpRequest request;
    request.method = signed_request.method;
    request.url = m_scheme_host + sigv4::canonical_uri(signed_request.path, "s3");
    if (const std::string q = sigv4::canonical_query(signed_request); !q.empty())
      request.url += "?" + q;
    request.headers = signed_request.headers;
    request.headers.emplace_back("Authorization",
                                 sigv4::authorization(signed_request, credentials, scope, date));
    request.body = body;
    return request;
  };
  return m_http.perform(prepare, what, max_body);
}

void S3Client::fail(const HttpResponse& response, std::string_view what, std::string_view key) const
{
  const auto error = s3xml::parse_error(response.body);
  const std::string where = display_url();
  const std::string code = error.code.empty() ? "" : " " + error.code;
  const std::string detail = "HTTP " + std::to_string(response.status) + code +
                             (error.message.empty() ? "" : ": " + error.message);
  const std::string subject =
      key.empty() ? "bucket '" + m_location.bucket + "'" : quoted(key) + " in " + where;
  const std::string bucket_region = response.header("x-amz-bucket-region").value_or(error.region);

  if (!bucket_region.empty() && bucket_region != m_region &&
      (response.status == 301 || response.status == 400 || response.status == 403))
    throw StorageError(redact(std::string(what) + " failed: bucket '" + m_location.bucket +
                              "' is in region " + bucket_region + ", not " + m_region + " (" +
                              detail + "); add ?region=" + bucket_region +
                              " to the repository URL"));
  if (response.status == 301 || error.code == "PermanentRedirect" ||
      error.code == "AuthorizationHeaderMalformed")
    throw StorageError(redact(std::string(what) + " failed: wrong region or endpoint for bucket '" +
                              m_location.bucket + "' (" + detail +
                              "); set ?region= (and ?endpoint= for " +
                              "non-AWS servers) in the repository URL"));
  if (response.status == 404 && error.code == "NoSuchBucket")
    throw StorageError(redact(
        std::string(what) + " failed: bucket '" + m_location.bucket + "' does not exist at " +
        (m_location.endpoint.empty() ? "AWS" : m_location.endpoint) + " (" + detail +
        "); check the bucket name and region in the repository URL"));
  if (response.status == 404)
    throw NotFoundError(
        redact(std::string(what) + " failed: " + subject + " does not exist (" + detail + ")"));
  if (response.status == 403 || response.status == 401) {
    std::string hint = "check the credentials (they came from " + m_credentials->provider() +
                       ", see docs/s3.md \"Credentials\" for the order) and the bucket's policy";
    if (error.code == "SignatureDoesNotMatch")
      hint = "the secret access key does not match the access key id; " + hint;
    if (error.code == "InvalidAccessKeyId")
      hint = "the access key id is unknown to the server; " + hint;
    if (error.code == "ExpiredToken" || error.code == "TokenRefreshRequired")
      hint = "the session token has expired; get fresh temporary credentials";
    if (error.code == "RequestTimeTooSkewed") hint = "this machine's clock is off; fix it (NTP)";
    throw StorageError(redact(std::string(what) + " failed: access denied to " + subject + " (" +
                              detail + "); " + hint));
  }
  if (retryable_status(response.status))
    throw StorageError(redact(std::string(what) + " failed: " + detail + " after " +
                              std::to_string(response.attempts) +
                              " attempts; the server is overloaded or failing, try again later"),
                       false);
  throw StorageError(redact(std::string(what) + " failed: " + detail));
}

} // namespace lastgood::storage
