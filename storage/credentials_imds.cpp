#include "common/error.hpp"
#include "common/redact.hpp"
#include "storage/credential_providers.hpp"
#include "storage/http_client.hpp"

#include <algorithm>
#include <nlohmann/json.hpp>

namespace lastgood::storage {

namespace {

constexpr const char* kCredentialsPath = "/latest/meta-data/iam/security-credentials/";

bool is_true(std::string text)
{
  std::transform(text.begin(), text.end(), text.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return text == "true";
}

std::string imds_endpoint()
{
  std::string endpoint = env_value("AWS_EC2_METADATA_SERVICE_ENDPOINT");
  if (endpoint.empty()) endpoint = "http://169.254.169.254";
  while (endpoint.ends_with('/'))
    endpoint.pop_back();
  return endpoint;
}

} // namespace

std::optional<AwsCredentials> ImdsCredentialProvider::load(std::string& why_not)
{
  if (is_true(env_value("AWS_EC2_METADATA_DISABLED"))) {
    why_not = "AWS_EC2_METADATA_DISABLED is true";
    return std::nullopt;
  }
  const std::string endpoint = imds_endpoint();
  const std::string where = "instance metadata: " + redact(endpoint);
  RetryPolicy once;
  once.max_attempts = 1;
  once.timeout = m_timeout;
  HttpClient probe(once);

  // IMDSv2: a session token first (a PUT, which a hop through a misconfigured
  // proxy or container network does not forward).
  HttpResponse token;
  try {
    token = probe.perform(
        [&] {
          HttpRequest request;
          request.method = "PUT";
          request.url = endpoint + "/latest/api/token";
          request.headers = {{"X-aws-ec2-metadata-token-ttl-seconds", "21600"}};
          return request;
        },
        where + " (session token)", 4096);
  } catch (const StorageError&) {
    why_not = "no metadata service answers at " + redact(endpoint);
    return std::nullopt;
  }
  if (token.status != 200 || token.body.empty()) {
    why_not = "the metadata service at " + redact(endpoint) + " gave no session token (HTTP " +
              std::to_string(token.status) + ")";
    return std::nullopt;
  }

  RetryPolicy patient = once;
  patient.max_attempts = 3;
  HttpClient http(patient);
  const auto get = [&](const std::string& path, const std::string& what) {
    return http.perform(
        [&] {
          HttpRequest request;
          request.url = endpoint + path;
          request.headers = {{"X-aws-ec2-metadata-token", token.body}};
          return request;
        },
        where + " (" + what + ")", 1 << 16);
  };
  const HttpResponse roles = get(kCredentialsPath, "role name");
  if (roles.status == 404) {
    why_not = "this instance has no IAM role (instance profile)";
    return std::nullopt;
  }
  if (roles.status != 200)
    throw StorageError(where + " answered HTTP " + std::to_string(roles.status) +
                       " for the instance's role name; check the instance profile, or set "
                       "AWS_EC2_METADATA_DISABLED=true to skip instance metadata");
  const std::string role = roles.body.substr(0, roles.body.find_first_of("\r\n"));
  if (role.empty() || role.find('/') != std::string::npos)
    throw StorageError(where + " answered an unusable role name; is "
                               "AWS_EC2_METADATA_SERVICE_ENDPOINT a metadata service?");

  const HttpResponse answer = get(kCredentialsPath + role, "credentials of role " + role);
  if (answer.status != 200)
    throw StorageError(where + " answered HTTP " + std::to_string(answer.status) +
                       " for the credentials of role " + role +
                       "; check the instance profile's role");
  nlohmann::json document;
  try {
    document = nlohmann::json::parse(answer.body);
  } catch (const nlohmann::json::exception&) {
    throw StorageError(where + " answered the credentials of role " + role +
                       " with something that is not JSON; is AWS_EC2_METADATA_SERVICE_ENDPOINT a "
                       "metadata service?");
  }
  const auto text = [&](const char* key) {
    return document.is_object() && document.contains(key) && document[key].is_string()
               ? document[key].get<std::string>()
               : std::string();
  };
  if (const std::string code = text("Code"); !code.empty() && code != "Success")
    throw StorageError(where + " could not give the credentials of role " + role + " (Code " +
                       code + "); check the instance profile's role");
  AwsCredentials credentials{
      {text("AccessKeyId"), text("SecretAccessKey"), text("Token")}, std::nullopt, name()};
  if (credentials.keys.access_key_id.empty() || credentials.keys.secret_access_key.empty())
    throw StorageError(where + " answered the credentials of role " + role +
                       " without AccessKeyId and SecretAccessKey");
  if (const std::string expiration = text("Expiration"); !expiration.empty()) {
    try {
      credentials.expiration = parse_rfc3339(expiration);
    } catch (const ValidationError&) {
      throw StorageError(where + " answered an Expiration that is not a time: '" + expiration +
                         "'");
    }
  }
  return credentials;
}

} // namespace lastgood::storage
