#include "storage/s3_url.hpp"

#include "common/error.hpp"
#include "storage/key.hpp"

#include <algorithm>
#include <cctype>
#include <charconv>
#include <cstdint>
#include <regex>

namespace lastgood::storage {

namespace {

[[noreturn]] void bad(std::string_view why)
{
  throw UsageError("invalid S3 repository URL: " + std::string(why) +
                   "; the form is s3://BUCKET[/PREFIX][?region=R&endpoint=URL&path_style=true]");
}

int hex_value(char c)
{
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

std::uint64_t parse_number(std::string_view name, std::string_view value)
{
  std::uint64_t n = 0;
  const auto [end, ec] = std::from_chars(value.data(), value.data() + value.size(), n);
  if (ec != std::errc() || end != value.data() + value.size() || n == 0)
    bad("option '" + std::string(name) + "' needs a positive whole number");
  return n;
}

// True when the endpoint's host cannot carry a bucket as a subdomain.
bool host_needs_path_style(std::string_view endpoint)
{
  static const std::regex ip_or_local(
      R"(^https?://(localhost|\[[0-9a-fA-F:.]+\]|[0-9.]+)(:\d+)?$)");
  return std::regex_match(endpoint.begin(), endpoint.end(), ip_or_local);
}

std::string normalise_endpoint(std::string value)
{
  while (!value.empty() && value.back() == '/')
    value.pop_back();
  if (value.find("://") == std::string::npos) value = "https://" + value;
  static const std::regex valid(R"(^https?://[A-Za-z0-9.\-\[\]:]+$)");
  if (!std::regex_match(value, valid)) bad("endpoint must be http(s)://HOST[:PORT] with no path");
  return value;
}

} // namespace

std::string percent_decode(std::string_view text)
{
  std::string out;
  out.reserve(text.size());
  for (std::size_t i = 0; i < text.size(); ++i) {
    if (text[i] == '%' && i + 2 < text.size() && hex_value(text[i + 1]) >= 0 &&
        hex_value(text[i + 2]) >= 0) {
      out += static_cast<char>(hex_value(text[i + 1]) * 16 + hex_value(text[i + 2]));
      i += 2;
    } else {
      out += text[i];
    }
  }
  return out;
}

S3Location parse_s3_url(std::string_view url)
{
  if (url.size() < 5 || !std::equal(url.begin(), url.begin() + 5, "s3://",
                                    [](char a, char b) { return std::tolower(a) == b; }))
    bad("it must start with s3://");
  std::string_view rest = url.substr(5);
  std::string_view query;
  if (const auto q = rest.find('?'); q != std::string_view::npos) {
    query = rest.substr(q + 1);
    rest = rest.substr(0, q);
  }
  const auto slash = rest.find('/');
  const std::string_view authority = rest.substr(0, slash);
  if (authority.find('@') != std::string_view::npos)
    bad("credentials do not belong in the URL; set AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY "
        "or the [s3] section of the configuration file");
  S3Location location;
  location.bucket = std::string(authority);
  static const std::regex bucket_name(R"(^[a-z0-9][a-z0-9.\-]{1,61}[a-z0-9]$)");
  if (!std::regex_match(location.bucket, bucket_name))
    bad("bucket name '" + location.bucket +
        "' is not valid (3-63 lowercase letters, digits, '.' and '-')");
  if (slash != std::string_view::npos) {
    std::string prefix = percent_decode(rest.substr(slash + 1));
    while (!prefix.empty() && prefix.back() == '/')
      prefix.pop_back();
    if (!prefix.empty()) {
      try {
        validate_key(prefix);
      } catch (const ValidationError&) {
        bad("prefix '" + prefix + "' must be relative '/'-separated names without '.' or '..'");
      }
      location.prefix = prefix + '/';
    }
  }
  bool path_style_given = false;
  while (!query.empty()) {
    const auto amp = query.find('&');
    const std::string_view pair = query.substr(0, amp);
    query = amp == std::string_view::npos ? std::string_view() : query.substr(amp + 1);
    if (pair.empty()) continue;
    const auto eq = pair.find('=');
    const std::string name(pair.substr(0, eq));
    const std::string value =
        eq == std::string_view::npos ? "" : percent_decode(pair.substr(eq + 1));
    if (name == "region") {
      static const std::regex region(R"(^[a-z0-9\-]{1,40}$)");
      if (!std::regex_match(value, region)) bad("region must look like eu-west-1");
      location.region = value;
    } else if (name == "endpoint") {
      location.endpoint = normalise_endpoint(value);
    } else if (name == "path_style") {
      if (value != "true" && value != "false") bad("path_style must be true or false");
      location.path_style = value == "true";
      path_style_given = true;
    } else if (name == "max_attempts") {
      location.max_attempts =
          static_cast<int>(std::min<std::uint64_t>(parse_number(name, value), 20));
    } else if (name == "timeout_ms") {
      location.timeout = std::chrono::milliseconds(parse_number(name, value));
    } else if (name == "part_size_mib") {
      const auto mib = parse_number(name, value);
      if (mib < 5 || mib > 5 * 1024) bad("part_size_mib must be between 5 and 5120");
      location.part_size = mib << 20;
    } else {
      bad("unknown option '" + name +
          "' (known: region, endpoint, path_style, max_attempts, timeout_ms, part_size_mib)");
    }
  }
  if (!path_style_given && !location.endpoint.empty() && host_needs_path_style(location.endpoint))
    location.path_style = true;
  // Dotted bucket names break TLS certificates of virtual-hosted AWS names.
  if (!path_style_given && location.bucket.find('.') != std::string::npos)
    location.path_style = true;
  return location;
}

std::string S3Location::url() const
{
  std::string out = "s3://" + bucket;
  if (!prefix.empty()) out += "/" + prefix.substr(0, prefix.size() - 1);
  std::string options;
  auto add = [&](std::string_view name, const std::string& value) {
    options += (options.empty() ? "?" : "&") + std::string(name) + "=" + value;
  };
  if (!region.empty()) add("region", region);
  if (!endpoint.empty()) add("endpoint", endpoint);
  if (path_style) add("path_style", "true");
  return out + options;
}

std::string S3Location::base_url(std::string_view region_in_use) const
{
  if (endpoint.empty()) {
    const std::string aws = "s3." + std::string(region_in_use) + ".amazonaws.com";
    return path_style ? "https://" + aws + "/" + bucket : "https://" + bucket + "." + aws;
  }
  if (path_style) return endpoint + "/" + bucket;
  const auto scheme_end = endpoint.find("://") + 3;
  return endpoint.substr(0, scheme_end) + bucket + "." + endpoint.substr(scheme_end);
}

std::string S3Location::host(std::string_view region_in_use) const
{
  std::string base = base_url(region_in_use);
  base = base.substr(base.find("://") + 3);
  return base.substr(0, base.find('/'));
}

std::string S3Location::path_for(std::string_view object_name) const
{
  return (path_style ? "/" + bucket + "/" : std::string("/")) + std::string(object_name);
}

} // namespace lastgood::storage
