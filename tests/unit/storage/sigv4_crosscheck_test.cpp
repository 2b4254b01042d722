// lastgood's SigV4 signer against AWS's own (@smithy/signature-v4, run by
// node): a few hundred requests made up deterministically from a seed, with
// awkward paths, query strings and header values, must get byte-identical
// Authorization headers. Needs node and the npm packages that
// scripts/setup-deps installs; without them the test fails and says so.

#include "storage/sigv4.hpp"
#include "tests/support/run_command.hpp"
#include "tests/support/s3_server.hpp"
#include "tests/support/temp_dir.hpp"

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>
#include <random>

namespace lastgood::storage::sigv4 {
namespace {

using nlohmann::json;

struct Case
{
  Request request;
  Credentials credentials;
  Scope scope;
  std::string date;
};

class Generator
{
public:
  explicit Generator(unsigned seed) : m_engine(seed) {}

  Case next()
  {
    Case c;
    c.scope.service = pick({"s3", "s3", "s3", "iam", "execute-api", "service"});
    c.scope.region = pick({"us-east-1", "eu-west-1", "ap-southeast-2", "auto"});
    c.date = date();
    c.credentials.access_key_id = "AKID" + text("ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789", 16);
    c.credentials.secret_access_key = text("abcdefghijklmnopqrstuvwxyzABCDEFGHIJ0123456789+/", 40);
    if (number(0, 3) == 0)
      c.credentials.session_token = text("abcdefghijklmnopqrstuvwxyz0123456789+/=", 60);
    Request& r = c.request;
    r.method = pick({"GET", "PUT", "HEAD", "DELETE", "POST"});
    r.path = path(c.scope.service == "s3");
    const int params = number(0, 4);
    for (int i = 0; i < params; ++i) {
      std::string name =
          text("abcdefghijklmnopqrstuvwxyzABCZ0123456789-_.~ /+=&%!*'()Ωé", number(1, 8));
      bool duplicate = false;
      for (const auto& [existing, value] : r.query)
        duplicate |= existing == name;
      if (!duplicate)
        r.query.emplace_back(name, text("abcXYZ019-_.~ /+=&%?#!*'()Ωé", number(0, 10)));
    }
    r.payload_hash =
        number(0, 4) == 0 ? "UNSIGNED-PAYLOAD" : hex_sha256(text("abc", number(0, 50)));
    r.headers = {
        {number(0, 1) ? "Host" : "host", pick({"example.amazonaws.com", "bucket.s3.amazonaws.com",
                                               "127.0.0.1:9000", "minio.example.com:9000"})},
        {"x-amz-content-sha256", r.payload_hash}};
    const int extra = number(0, 3);
    for (int i = 0; i < extra; ++i)
      r.headers.emplace_back("X-Test-" + text("ABCdef", 3) + std::to_string(i),
                             text("ab  c\t\"d;=,:/ ", number(0, 16)));
    if (number(0, 2) == 0)
      r.headers.emplace_back("Range", "bytes=" + std::to_string(number(0, 99)) + "-");
    if (number(0, 2) == 0) r.headers.emplace_back("content-type", "application/xml; charset=utf-8");
    return c;
  }

private:
  int number(int low, int high) { return std::uniform_int_distribution<int>(low, high)(m_engine); }
  std::string pick(std::initializer_list<const char*> options)
  {
    return *(options.begin() + number(0, static_cast<int>(options.size()) - 1));
  }
  // Characters of an alphabet given as UTF-8 text (multi-byte ones kept whole).
  std::string text(std::string_view alphabet, int length)
  {
    std::vector<std::string> symbols;
    for (std::size_t i = 0; i < alphabet.size();) {
      std::size_t n = 1;
      const auto lead = static_cast<unsigned char>(alphabet[i]);
      if (lead >= 0xf0)
        n = 4;
      else if (lead >= 0xe0)
        n = 3;
      else if (lead >= 0xc0)
        n = 2;
      symbols.emplace_back(alphabet.substr(i, n));
      i += n;
    }
    std::string out;
    for (int i = 0; i < length; ++i)
      out += symbols[static_cast<std::size_t>(number(0, static_cast<int>(symbols.size()) - 1))];
    return out;
  }
  std::string path(bool s3)
  {
    std::string out;
    const int segments = number(0, 4);
    for (int i = 0; i < segments; ++i) {
      if (!s3 && number(0, 5) == 0)
        out += pick({"/.", "/..", "/"});
      else
        out += "/" + text("abcXYZ019-_.~ +=$@!*'(),;:Ωé日", number(1, 10));
    }
    if (number(0, 4) == 0) out += "/";
    return out.empty() ? "/" : out;
  }
  std::string date()
  {
    char buffer[32];
    std::snprintf(buffer, sizeof buffer, "%04d%02d%02dT%02d%02d%02dZ", number(2015, 2030),
                  number(1, 12), number(1, 28), number(0, 23), number(0, 59), number(0, 59));
    return buffer;
  }

  std::mt19937 m_engine;
};

TEST(SigV4CrossCheck, AgreesWithTheAwsSdkSignerOnRandomRequests)
{
  constexpr int kRequests = 300;
  Generator generator(20261122);
  std::vector<Case> cases;
  json requests = json::array();
  for (int i = 0; i < kRequests; ++i) {
    Case c = generator.next();
    c.request.headers.emplace_back("x-amz-date", c.date);
    if (!c.credentials.session_token.empty())
      c.request.headers.emplace_back("x-amz-security-token", c.credentials.session_token);
    json headers = json::array();
    for (const auto& [name, value] : c.request.headers)
      if (name != "x-amz-date" && name != "x-amz-security-token") headers.push_back({name, value});
    json query = json::array();
    for (const auto& [name, value] : c.request.query)
      query.push_back({name, value});
    // The SDK takes the path as sent on the wire (encoded once).
    requests.push_back({{"method", c.request.method},
                        {"path", uri_encode(c.request.path, false)},
                        {"query", query},
                        {"headers", headers},
                        {"service", c.scope.service},
                        {"region", c.scope.region},
                        {"date", c.date},
                        {"access_key_id", c.credentials.access_key_id},
                        {"secret_access_key", c.credentials.secret_access_key},
                        {"session_token", c.credentials.session_token}});
    cases.push_back(std::move(c));
  }
  lastgood::testing::TempDir dir;
  const auto input = dir.write("requests.json", requests.dump());
  const auto script = lastgood::testing::source_dir() / "tests/support/sigv4-crosscheck/sign.js";
  const auto result =
      lastgood::testing::run_shell("node " + lastgood::testing::shell_quote(script.string()) +
                                   " < " + lastgood::testing::shell_quote(input.string()));
  ASSERT_EQ(result.exit_code, 0)
      << "the AWS SDK signer could not run (node and the npm packages come from "
         "scripts/setup-deps): "
      << result.err;
  const json signatures = json::parse(result.out);
  ASSERT_EQ(signatures.size(), cases.size());
  int mismatches = 0;
  for (std::size_t i = 0; i < cases.size(); ++i) {
    const Case& c = cases[i];
    const std::string ours = authorization(c.request, c.credentials, c.scope, c.date);
    if (ours != signatures[i].get<std::string>() && ++mismatches <= 5) {
      ADD_FAILURE() << "request " << i << " differs\n  ours: " << ours
                    << "\n  sdk:  " << signatures[i] << "\n  canonical request:\n"
                    << canonical_request(c.request, c.scope.service)
                    << "\n  input: " << requests[i].dump();
    }
  }
  EXPECT_EQ(mismatches, 0) << "of " << cases.size() << " requests";
}

} // namespace
} // namespace lastgood::storage::sigv4
