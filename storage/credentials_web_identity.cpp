#include "common/error.hpp"
#include "common/redact.hpp"
#include "storage/credential_providers.hpp"
#include "storage/http_client.hpp"
#include "storage/s3_xml.hpp"

#include <fstream>
#include <sstream>

namespace lastgood::storage {

namespace {

constexpr const char* kResult =
    "AssumeRoleWithWebIdentityResponse/AssumeRoleWithWebIdentityResult/Credentials/";

std::string read_token(const std::string& path)
{
  std::ifstream in(path, std::ios::binary);
  if (!in)
    throw UsageError("web identity: cannot read the token file " + path +
                     " (AWS_WEB_IDENTITY_TOKEN_FILE); check that it exists and is readable "
                     "by this user");
  std::ostringstream text;
  text << in.rdbuf();
  std::string token = text.str();
  while (!token.empty() && (token.back() == '\n' || token.back() == '\r' || token.back() == ' '))
    token.pop_back();
  if (token.empty())
    throw UsageError("web identity: the token file " + path +
                     " (AWS_WEB_IDENTITY_TOKEN_FILE) is empty");
  return token;
}

std::string form_value(std::string_view text)
{
  return sigv4::uri_encode(text, true);
}

} // namespace

std::string sts_endpoint(const std::string& region)
{
  std::string endpoint = env_value("AWS_ENDPOINT_URL_STS");
  if (endpoint.empty()) endpoint = env_value("AWS_ENDPOINT_URL");
  if (endpoint.empty()) {
    const bool legacy = env_value("AWS_STS_REGIONAL_ENDPOINTS") == "legacy";
    endpoint = region.empty() || legacy ? "https://sts.amazonaws.com"
                                        : "https://sts." + region + ".amazonaws.com";
  }
  while (endpoint.ends_with('/'))
    endpoint.pop_back();
  return endpoint;
}

std::optional<AwsCredentials> WebIdentityCredentialProvider::load(std::string& why_not)
{
  const std::string role_arn = env_value("AWS_ROLE_ARN");
  const std::string token_file = env_value("AWS_WEB_IDENTITY_TOKEN_FILE");
  if (role_arn.empty() && token_file.empty()) {
    why_not = "AWS_ROLE_ARN is not set";
    return std::nullopt;
  }
  if (role_arn.empty() || token_file.empty())
    throw UsageError(std::string("web identity: ") +
                     (role_arn.empty() ? "AWS_ROLE_ARN" : "AWS_WEB_IDENTITY_TOKEN_FILE") +
                     " is not set but " +
                     (role_arn.empty() ? "AWS_WEB_IDENTITY_TOKEN_FILE" : "AWS_ROLE_ARN") +
                     " is; set both (Kubernetes sets them for a service account with an IAM "
                     "role), or neither");
  std::string session_name = env_value("AWS_ROLE_SESSION_NAME");
  if (session_name.empty()) session_name = "lastgood-" + std::to_string(std::time(nullptr));

  // Read again at every refresh: Kubernetes rotates the projected token.
  const std::string token = read_token(token_file);
  const std::string endpoint = sts_endpoint(m_region);
  const std::string body =
      "Action=AssumeRoleWithWebIdentity&Version=2011-06-15&RoleArn=" + form_value(role_arn) +
      "&RoleSessionName=" + form_value(session_name) + "&WebIdentityToken=" + form_value(token);
  const std::string where = "web identity: STS at " + redact(endpoint);
  RetryPolicy policy;
  policy.max_attempts = 3;
  policy.timeout = std::chrono::seconds(10);
  HttpClient http(policy);
  HttpResponse response;
  try {
    response = http.perform(
        [&] {
          HttpRequest request;
          request.method = "POST";
          request.url = endpoint + "/";
          request.headers = {{"Content-Type", "application/x-www-form-urlencoded"},
                             {"Accept", "application/xml"}};
          request.body = body;
          return request;
        },
        where + " (AssumeRoleWithWebIdentity)", 1 << 20);
  } catch (const StorageError& e) {
    throw StorageError(std::string(e.what()) +
                           "; set AWS_ENDPOINT_URL_STS if STS is reached another way",
                       e.permanent());
  }
  if (response.status != 200) {
    const auto texts = [&] {
      try {
        return s3xml::element_texts(response.body, where);
      } catch (const StorageError&) {
        return std::map<std::string, std::string>{};
      }
    }();
    const auto text = [&](const char* path) {
      const auto it = texts.find(path);
      return it == texts.end() ? std::string() : it->second;
    };
    const std::string code = text("ErrorResponse/Error/Code");
    const std::string message = text("ErrorResponse/Error/Message");
    throw StorageError(where + " refused AssumeRoleWithWebIdentity for role " + role_arn +
                       ": HTTP " + std::to_string(response.status) +
                       (code.empty() ? "" : " " + code) + (message.empty() ? "" : ": " + message) +
                       "; check the role's trust policy (it must trust this token's issuer and "
                       "subject) and the token file " +
                       token_file);
  }
  std::map<std::string, std::string> texts;
  try {
    texts = s3xml::element_texts(response.body, where);
  } catch (const StorageError&) {
    throw StorageError(where + " answered AssumeRoleWithWebIdentity with malformed XML; is " +
                       "AWS_ENDPOINT_URL_STS an STS endpoint?");
  }
  const std::string prefix = kResult;
  AwsCredentials credentials{{texts[prefix + "AccessKeyId"], texts[prefix + "SecretAccessKey"],
                              texts[prefix + "SessionToken"]},
                             std::nullopt,
                             name()};
  if (credentials.keys.access_key_id.empty() || credentials.keys.secret_access_key.empty() ||
      credentials.keys.session_token.empty())
    throw StorageError(
        where + " answered AssumeRoleWithWebIdentity without AccessKeyId, " +
        "SecretAccessKey and SessionToken; is AWS_ENDPOINT_URL_STS an STS endpoint?");
  if (const std::string expiration = texts[prefix + "Expiration"]; !expiration.empty()) {
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
