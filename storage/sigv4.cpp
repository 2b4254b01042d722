// AWS SigV4 signing (see sigv4.hpp). Every step is a separate function so the
// tests can compare each intermediate value with the published examples.

#include "storage/sigv4.hpp"

#include "common/error.hpp"
#include "common/sha256.hpp"

#include <algorithm>
#include <map>
#include <openssl/evp.h>
#include <openssl/hmac.h>

namespace lastgood::storage::sigv4 {

namespace {

bool unreserved(unsigned char c)
{
  return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' ||
         c == '_' || c == '.' || c == '~';
}

std::string lower(std::string_view text)
{
  std::string out(text);
  for (char& c : out)
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
  return out;
}

// Trims and collapses runs of spaces to one (spec: "Trimall").
std::string trim_all(std::string_view value)
{
  std::string out;
  bool space = false;
  for (char c : value) {
    if (c == ' ' || c == '\t') {
      space = !out.empty();
      continue;
    }
    if (space) out += ' ';
    space = false;
    out += c;
  }
  return out;
}

// RFC 3986 dot-segment removal and empty-segment collapse, as the non-S3
// services do before encoding.
std::string normalize_path(std::string_view path)
{
  std::vector<std::string> parts;
  std::size_t at = 0;
  while (at <= path.size()) {
    std::size_t slash = path.find('/', at);
    if (slash == std::string_view::npos) slash = path.size();
    std::string_view part = path.substr(at, slash - at);
    if (part == "..") {
      if (!parts.empty()) parts.pop_back();
    } else if (!part.empty() && part != ".") {
      parts.emplace_back(part);
    }
    at = slash + 1;
  }
  std::string out;
  for (const auto& part : parts)
    out += "/" + part;
  const bool trailing = !path.empty() && path.back() == '/' && !parts.empty();
  if (out.empty() || trailing) out += '/';
  return out;
}

} // namespace

std::string uri_encode(std::string_view text, bool encode_slash)
{
  static constexpr char kHex[] = "0123456789ABCDEF";
  std::string out;
  out.reserve(text.size() * 3);
  for (const char ch : text) {
    const auto c = static_cast<unsigned char>(ch);
    if (unreserved(c) || (c == '/' && !encode_slash)) {
      out += ch;
    } else {
      out += '%';
      out += kHex[c >> 4];
      out += kHex[c & 0x0f];
    }
  }
  return out;
}

std::string canonical_uri(std::string_view path, std::string_view service)
{
  if (path.empty()) return "/";
  if (service == "s3") return uri_encode(path, false);
  return uri_encode(uri_encode(normalize_path(path), false), false);
}

std::string canonical_query(const Request& request)
{
  std::vector<std::pair<std::string, std::string>> encoded;
  encoded.reserve(request.query.size());
  for (const auto& [name, value] : request.query)
    encoded.emplace_back(uri_encode(name, true), uri_encode(value, true));
  std::sort(encoded.begin(), encoded.end());
  std::string out;
  for (const auto& [name, value] : encoded) {
    if (!out.empty()) out += '&';
    out += name + '=' + value;
  }
  return out;
}

std::pair<std::string, std::string> canonical_headers(const Request& request)
{
  std::map<std::string, std::string> joined;
  for (const auto& [name, value] : request.headers) {
    auto [it, fresh] = joined.try_emplace(lower(trim_all(name)), trim_all(value));
    if (!fresh) it->second += "," + trim_all(value);
  }
  std::string canonical, signed_names;
  for (const auto& [name, value] : joined) {
    canonical += name + ':' + value + '\n';
    if (!signed_names.empty()) signed_names += ';';
    signed_names += name;
  }
  return {canonical, signed_names};
}

std::string canonical_request(const Request& request, std::string_view service)
{
  const auto [headers, signed_names] = canonical_headers(request);
  return request.method + '\n' + canonical_uri(request.path, service) + '\n' +
         canonical_query(request) + '\n' + headers + '\n' + signed_names + '\n' +
         request.payload_hash;
}

std::string credential_scope(std::string_view amz_date, const Scope& scope)
{
  return std::string(amz_date.substr(0, 8)) + '/' + scope.region + '/' + scope.service +
         "/aws4_request";
}

std::string string_to_sign(std::string_view amz_date, const Scope& scope,
                           std::string_view canonical_request)
{
  return "AWS4-HMAC-SHA256\n" + std::string(amz_date) + '\n' + credential_scope(amz_date, scope) +
         '\n' + hex_sha256(canonical_request);
}

std::string signing_key(std::string_view secret_access_key, std::string_view date,
                        const Scope& scope)
{
  const std::string k_date = hmac_sha256("AWS4" + std::string(secret_access_key), date);
  const std::string k_region = hmac_sha256(k_date, scope.region);
  const std::string k_service = hmac_sha256(k_region, scope.service);
  return hmac_sha256(k_service, "aws4_request");
}

std::string signature(const Request& request, const Credentials& credentials, const Scope& scope,
                      std::string_view amz_date)
{
  if (amz_date.size() != 16 || amz_date[8] != 'T' || amz_date.back() != 'Z')
    throw ValidationError("SigV4: x-amz-date must look like 20150830T123600Z, got '" +
                          std::string(amz_date) + "'");
  const std::string key = signing_key(credentials.secret_access_key, amz_date.substr(0, 8), scope);
  return to_hex(
      hmac_sha256(key, string_to_sign(amz_date, scope, canonical_request(request, scope.service))));
}

std::string authorization(const Request& request, const Credentials& credentials,
                          const Scope& scope, std::string_view amz_date)
{
  return "AWS4-HMAC-SHA256 Credential=" + credentials.access_key_id + '/' +
         credential_scope(amz_date, scope) +
         ", SignedHeaders=" + canonical_headers(request).second +
         ", Signature=" + signature(request, credentials, scope, amz_date);
}

std::string hex_sha256(std::string_view data)
{
  return Sha256::of(data);
}

std::string hmac_sha256(std::string_view key, std::string_view data)
{
  unsigned char out[EVP_MAX_MD_SIZE];
  unsigned int length = 0;
  if (!HMAC(EVP_sha256(), key.data(), static_cast<int>(key.size()),
            reinterpret_cast<const unsigned char*>(data.data()), data.size(), out, &length))
    throw StorageError("SigV4: HMAC-SHA256 failed in OpenSSL");
  return std::string(reinterpret_cast<const char*>(out), length);
}

std::string to_hex(std::string_view bytes)
{
  return lastgood::to_hex(
      std::span(reinterpret_cast<const unsigned char*>(bytes.data()), bytes.size()));
}

} // namespace lastgood::storage::sigv4
