#pragma once
// A real S3 server process on loopback for tests: tests/fixtures/s3-server
// (s3rver from npm, installed by scripts/setup-deps). One server per test
// process, started on first use and stopped at exit. When node or s3rver is
// missing, shared() throws with a message that says so: S3 tests fail, they
// never skip silently. FaultProxy puts tests/support/fault-proxy.js in front.

#include "tests/support/node_process.hpp"

#include <cstdint>
#include <filesystem>
#include <memory>
#include <string>

namespace lastgood::testing {

class S3Server
{
public:
  // Buckets made at start: kBucket (the tests' bucket) and kOtherBucket.
  static constexpr const char* kBucket = "lastgood-test";
  static constexpr const char* kOtherBucket = "lastgood-other";
  // The credentials s3rver knows (it checks the access key id, not V4 signatures).
  static constexpr const char* kAccessKeyId = "S3RVER";
  static constexpr const char* kSecretAccessKey = "S3RVER";

  // Starts the shared server on first use and sets AWS_ACCESS_KEY_ID,
  // AWS_SECRET_ACCESS_KEY (and clears AWS_SESSION_TOKEN) for this process.
  static S3Server& shared();

  explicit S3Server(const std::string& buckets);

  const std::string& endpoint() const { return m_endpoint; } // http://127.0.0.1:PORT
  const std::filesystem::path& directory() const { return m_directory; }
  // "s3://BUCKET/PREFIX?endpoint=..." (path style, as the endpoint is an IP).
  std::string url(const std::string& prefix, const std::string& bucket = kBucket,
                  const std::string& extra_options = "") const;

private:
  std::unique_ptr<NodeProcess> m_process;
  std::string m_endpoint;
  std::filesystem::path m_directory;
};

// tests/support/fault-proxy.js between the client and `upstream`; see the
// script for the faults. rate is the share of requests that misbehave.
class FaultProxy
{
public:
  // from_byte: only ranged GETs from that byte on misbehave (0: all requests);
  // request_log: a file that gets "METHOD RANGE" per request ("" = none);
  // body_log: one that gets "METHOD PATH BYTES" per forwarded answer.
  FaultProxy(const std::string& upstream, unsigned seed, double rate, int stall_ms,
             const std::string& faults = "500,503,stall,truncate,drop", bool objects_only = false,
             std::uint64_t from_byte = 0, const std::string& request_log = "",
             const std::string& body_log = "");
  const std::string& endpoint() const { return m_endpoint; }

private:
  std::unique_ptr<NodeProcess> m_process;
  std::string m_endpoint;
};

// A prefix no other test in this process used ("t-<pid>-<n>").
std::string unique_s3_prefix(const std::string& stem = "t");

} // namespace lastgood::testing
