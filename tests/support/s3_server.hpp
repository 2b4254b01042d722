#pragma once
// A real S3 server process on loopback for tests: tests/fixtures/s3-server
// (s3rver from npm, installed by scripts/setup-deps). One server per test
// process, started on first use and stopped at exit. When node or s3rver is
// missing, shared() throws with a message that says so: S3 tests fail, they
// never skip silently.

#include <filesystem>
#include <string>
#include <sys/types.h>

namespace lastgood::testing {

class S3Server {
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
  ~S3Server();
  S3Server(const S3Server&) = delete;
  S3Server& operator=(const S3Server&) = delete;

  const std::string& endpoint() const { return m_endpoint; }  // http://127.0.0.1:PORT
  const std::filesystem::path& directory() const { return m_directory; }
  // "s3://BUCKET/PREFIX?endpoint=..." (path style, as the endpoint is an IP).
  std::string url(const std::string& prefix, const std::string& bucket = kBucket,
                  const std::string& extra_options = "") const;

private:
  void stop();

  pid_t m_pid = -1;
  int m_stdin = -1;
  std::string m_endpoint;
  std::filesystem::path m_directory;
};

// The repository's source directory (tests find their scripts there).
std::filesystem::path source_dir();

// A prefix no other test in this process used ("t-<pid>-<n>").
std::string unique_s3_prefix(const std::string& stem = "t");

} // namespace lastgood::testing
