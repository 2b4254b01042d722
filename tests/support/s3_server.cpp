#include "tests/support/s3_server.hpp"

#include "tests/support/temp_dir.hpp"

#include <atomic>
#include <cstdlib>
#include <stdexcept>
#include <unistd.h>

namespace lastgood::testing {

S3Server& S3Server::shared()
{
  static S3Server server(std::string(kBucket) + "," + kOtherBucket);
  ::setenv("AWS_ACCESS_KEY_ID", kAccessKeyId, 1);
  ::setenv("AWS_SECRET_ACCESS_KEY", kSecretAccessKey, 1);
  ::unsetenv("AWS_SESSION_TOKEN");
  return server;
}

S3Server::S3Server(const std::string& buckets)
{
  // The legacy provider: s3rver's continuation tokens use DES (see the script).
  m_process = std::make_unique<NodeProcess>(
      std::vector<std::string>{"--openssl-legacy-provider",
                               (source_dir() / "tests/fixtures/s3-server").string(), buckets},
      "the S3 test server (tests/fixtures/s3-server, s3rver)");
  m_endpoint = m_process->field("endpoint");
  m_directory = m_process->field("directory");
  if (m_endpoint.empty() || m_directory.empty())
    throw std::runtime_error("the S3 test server printed '" + m_process->first_line() +
                             "', not its endpoint");
}

std::string S3Server::url(const std::string& prefix, const std::string& bucket,
                          const std::string& extra_options) const
{
  std::string url =
      "s3://" + bucket + (prefix.empty() ? "" : "/" + prefix) + "?endpoint=" + m_endpoint;
  if (!extra_options.empty()) url += "&" + extra_options;
  return url;
}

FaultProxy::FaultProxy(const std::string& upstream, unsigned seed, double rate, int stall_ms,
                       const std::string& faults, bool objects_only, std::uint64_t from_byte,
                       const std::string& request_log, const std::string& body_log)
{
  std::vector<std::string> args = {(source_dir() / "tests/support/fault-proxy.js").string(),
                                   "--upstream",
                                   upstream,
                                   "--seed",
                                   std::to_string(seed),
                                   "--rate",
                                   std::to_string(rate),
                                   "--stall-ms",
                                   std::to_string(stall_ms),
                                   "--faults",
                                   faults};
  if (objects_only) args.push_back("--objects-only");
  if (from_byte > 0) args.insert(args.end(), {"--from-byte", std::to_string(from_byte)});
  if (!request_log.empty()) args.insert(args.end(), {"--log", request_log});
  if (!body_log.empty()) args.insert(args.end(), {"--body-log", body_log});
  m_process = std::make_unique<NodeProcess>(
      args, "the fault-injecting proxy (tests/support/fault-proxy.js)");
  m_endpoint = m_process->field("endpoint");
}

std::string unique_s3_prefix(const std::string& stem)
{
  static std::atomic<int> counter{0};
  return stem + "-" + std::to_string(::getpid()) + "-" + std::to_string(++counter);
}

} // namespace lastgood::testing
