#pragma once
// HTTP/1.1 over libcurl for the S3 backend: pooled easy handles (each keeps
// its connections alive, so requests reuse them), bodies held in memory
// (callers bound their size: list pages, ranged GET chunks, upload parts),
// and the one retry loop of the backend: exponential backoff with full jitter
// on transport errors (timeouts, resets, bodies shorter than Content-Length),
// 5xx and 429, up to a bound.

#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace lastgood::storage {

struct HttpRequest
{
  std::string method = "GET"; // GET, HEAD, PUT, POST, DELETE
  std::string url;            // already encoded
  std::vector<std::pair<std::string, std::string>> headers;
  std::string_view body; // PUT/POST body; must outlive perform()
};

struct HttpResponse
{
  long status = 0;
  std::vector<std::pair<std::string, std::string>> headers; // names in lower case
  std::string body;
  int attempts = 0; // how many tries it took

  std::optional<std::string> header(std::string_view lower_name) const;
};

struct RetryPolicy
{
  int max_attempts = 6;
  std::chrono::milliseconds base_delay{100};
  std::chrono::milliseconds max_delay{5'000};
  // Connect timeout, and the longest time without a byte moving (a stall).
  std::chrono::milliseconds timeout{30'000};
};

// Whether a status is worth another try (5xx, 429 Too Many Requests).
bool retryable_status(long status);

class HttpClient
{
public:
  explicit HttpClient(RetryPolicy policy);
  ~HttpClient();
  HttpClient(const HttpClient&) = delete;
  HttpClient& operator=(const HttpClient&) = delete;

  // Sends the request, calling prepare before every attempt (to sign it with a
  // fresh date), until a non-retryable answer or the attempt bound. Returns
  // the last response whatever its status; throws StorageError (not
  // permanent) when the last attempt failed in transport. `what` names the
  // operation for messages ("GET 'k' in s3://b/p"); URLs, headers and bodies
  // never reach a message or a log line. max_body bounds the response body.
  HttpResponse perform(const std::function<HttpRequest()>& prepare, std::string_view what,
                       std::size_t max_body);

  const RetryPolicy& policy() const { return m_policy; }

private:
  struct HandleFree
  {
    void operator()(void* handle) const;
  };
  using HandlePtr = std::unique_ptr<void, HandleFree>;

  HandlePtr acquire();
  void release(HandlePtr handle);
  // One attempt; empty optional plus error text on transport failure.
  std::optional<HttpResponse> attempt(void* curl, const HttpRequest& request, std::size_t max_body,
                                      std::string& error);

  RetryPolicy m_policy;
  std::mutex m_mutex;
  std::vector<HandlePtr> m_idle;
};

} // namespace lastgood::storage
