#pragma once
// AWS Signature Version 4, written against the specification
// (docs.aws.amazon.com "Create a signed AWS API request"). Pure functions, no
// I/O: canonical request, string to sign, signing key, Authorization header.

#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace lastgood::storage::sigv4 {

struct Credentials
{
  std::string access_key_id;
  std::string secret_access_key;
  std::string session_token; // empty unless temporary credentials
};

// One HTTP request as the signer sees it. path and query are *decoded*; the
// signer encodes them by the spec's rules. headers must include "host" and
// "x-amz-date"; every header listed is signed.
struct Request
{
  std::string method;
  std::string path = "/";
  std::vector<std::pair<std::string, std::string>> query;
  std::vector<std::pair<std::string, std::string>> headers;
  std::string payload_hash; // hex SHA-256 of the body, or "UNSIGNED-PAYLOAD"
};

struct Scope
{
  std::string region;
  std::string service = "s3";
};

// RFC 3986 unreserved characters stay, every other byte becomes %XX (upper
// hex); '/' stays when encode_slash is false (object key paths).
std::string uri_encode(std::string_view text, bool encode_slash);

// Every service but S3 normalises the path and encodes it twice; S3 encodes
// each key once and keeps it as it is ("a//b" and "./" are real key bytes).
std::string canonical_uri(std::string_view path, std::string_view service);
std::string canonical_query(const Request& request);
// Lowercase names, trimmed values with inner runs of spaces collapsed, sorted,
// repeated names joined by ','. Returns {canonical headers, signed headers}.
std::pair<std::string, std::string> canonical_headers(const Request& request);
std::string canonical_request(const Request& request, std::string_view service);

// "20150830/us-east-1/iam/aws4_request" for amz_date "20150830T123600Z".
std::string credential_scope(std::string_view amz_date, const Scope& scope);
std::string string_to_sign(std::string_view amz_date, const Scope& scope,
                           std::string_view canonical_request);
// The raw 32-byte derived key (kSigning); hex it to compare with the docs.
std::string signing_key(std::string_view secret_access_key, std::string_view date,
                        const Scope& scope);
std::string signature(const Request& request, const Credentials& credentials, const Scope& scope,
                      std::string_view amz_date);
// The full Authorization header value.
std::string authorization(const Request& request, const Credentials& credentials,
                          const Scope& scope, std::string_view amz_date);

std::string hex_sha256(std::string_view data);
std::string hmac_sha256(std::string_view key, std::string_view data);
std::string to_hex(std::string_view bytes);

} // namespace lastgood::storage::sigv4
