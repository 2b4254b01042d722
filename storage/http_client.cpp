#include "storage/http_client.hpp"

#include "common/error.hpp"

#include <algorithm>
#include <charconv>
#include <curl/curl.h>
#include <random>
#include <spdlog/spdlog.h>
#include <thread>

namespace lastgood::storage {

namespace {

struct Received
{
  HttpResponse response;
  std::size_t max_body = 0;
  bool expects_body = true; // not for HEAD
  bool too_large = false;
};

struct Upload
{
  std::string_view body;
  std::size_t offset = 0;
};

std::size_t on_body(char* data, std::size_t size, std::size_t count, void* user)
{
  auto& received = *static_cast<Received*>(user);
  const std::size_t n = size * count;
  if (received.response.body.size() + n > received.max_body) {
    received.too_large = true;
    return 0; // aborts the transfer
  }
  received.response.body.append(data, n);
  return n;
}

std::size_t on_header(char* data, std::size_t size, std::size_t count, void* user)
{
  auto& headers = static_cast<Received*>(user)->response.headers;
  const std::size_t n = size * count;
  std::string_view line(data, n);
  if (line.starts_with("HTTP/")) headers.clear(); // a new response (after 100 Continue)
  const auto colon = line.find(':');
  if (colon == std::string_view::npos) return n;
  std::string name(line.substr(0, colon));
  std::transform(name.begin(), name.end(), name.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  std::string_view value = line.substr(colon + 1);
  while (!value.empty() && (value.front() == ' ' || value.front() == '\t'))
    value.remove_prefix(1);
  while (!value.empty() && (value.back() == '\r' || value.back() == '\n' || value.back() == ' '))
    value.remove_suffix(1);
  // The body's room in one allocation: parts are megabytes, and growing a
  // string to that size copies it over and over.
  if (auto& received = *static_cast<Received*>(user);
      received.expects_body && name == "content-length") {
    std::size_t length = 0;
    const auto [end, ec] = std::from_chars(value.data(), value.data() + value.size(), length);
    if (ec == std::errc() && end == value.data() + value.size())
      received.response.body.reserve(std::min(length, received.max_body));
  }
  headers.emplace_back(std::move(name), std::string(value));
  return n;
}

std::size_t on_upload(char* buffer, std::size_t size, std::size_t count, void* user)
{
  auto& upload = *static_cast<Upload*>(user);
  const std::size_t n = std::min(size * count, upload.body.size() - upload.offset);
  std::copy_n(upload.body.data() + upload.offset, n, buffer);
  upload.offset += n;
  return n;
}

void global_init()
{
  static std::once_flag once;
  std::call_once(once, [] {
    if (curl_global_init(CURL_GLOBAL_DEFAULT) != CURLE_OK)
      throw StorageError("cannot initialise libcurl");
  });
}

std::chrono::milliseconds backoff(const RetryPolicy& policy, int attempt)
{
  // Full jitter: uniform in [0, min(max, base * 2^attempt)], so many clients
  // that failed together do not come back together.
  thread_local std::mt19937_64 engine{std::random_device{}()};
  const auto cap = std::min<std::int64_t>(policy.max_delay.count(), policy.base_delay.count()
                                                                        << std::min(attempt, 20));
  std::uniform_int_distribution<std::int64_t> pick(0, std::max<std::int64_t>(cap, 1));
  return std::chrono::milliseconds(pick(engine));
}

} // namespace

std::optional<std::string> HttpResponse::header(std::string_view lower_name) const
{
  for (const auto& [name, value] : headers)
    if (name == lower_name) return value;
  return std::nullopt;
}

bool retryable_status(long status)
{
  return status >= 500 || status == 429;
}

void HttpClient::HandleFree::operator()(void* handle) const
{
  curl_easy_cleanup(handle);
}

HttpClient::HttpClient(RetryPolicy policy) : m_policy(policy)
{
  global_init();
}

HttpClient::~HttpClient() = default;

HttpClient::HandlePtr HttpClient::acquire()
{
  {
    std::lock_guard lock(m_mutex);
    if (!m_idle.empty()) {
      HandlePtr handle = std::move(m_idle.back());
      m_idle.pop_back();
      return handle;
    }
  }
  HandlePtr handle(curl_easy_init());
  if (!handle) throw StorageError("cannot create a libcurl handle (out of memory?)");
  return handle;
}

void HttpClient::release(HandlePtr handle)
{
  std::lock_guard lock(m_mutex);
  m_idle.push_back(std::move(handle));
}

std::optional<HttpResponse> HttpClient::attempt(void* curl, const HttpRequest& request,
                                                std::size_t max_body, std::string& error)
{
  curl_easy_reset(curl); // keeps the connection cache: the next request reuses it
  Received received;
  received.max_body = max_body;
  received.expects_body = request.method != "HEAD";
  Upload upload{request.body, 0};
  char error_buffer[CURL_ERROR_SIZE] = {};

  struct SlistFree
  {
    void operator()(curl_slist* list) const { curl_slist_free_all(list); }
  };
  std::unique_ptr<curl_slist, SlistFree> headers;
  auto add_header = [&](const std::string& line) {
    curl_slist* grown = curl_slist_append(headers.get(), line.c_str());
    if (!grown) throw StorageError("cannot build an HTTP request (out of memory?)");
    (void)headers.release();
    headers.reset(grown);
  };
  for (const auto& [name, value] : request.headers)
    add_header(name + ": " + value);
  add_header("Expect:"); // no 100-continue round trip before bodies

  const long timeout_ms = static_cast<long>(m_policy.timeout.count());
  curl_easy_setopt(curl, CURLOPT_URL, request.url.c_str());
  curl_easy_setopt(curl, CURLOPT_HTTPHEADER, headers.get());
  curl_easy_setopt(curl, CURLOPT_ERRORBUFFER, error_buffer);
  curl_easy_setopt(curl, CURLOPT_NOSIGNAL, 1L);
  curl_easy_setopt(curl, CURLOPT_CONNECTTIMEOUT_MS, timeout_ms);
  // A stall: less than one byte per second for the timeout.
  curl_easy_setopt(curl, CURLOPT_LOW_SPEED_LIMIT, 1L);
  curl_easy_setopt(curl, CURLOPT_LOW_SPEED_TIME, std::max(1L, timeout_ms / 1000));
  curl_easy_setopt(curl, CURLOPT_WRITEFUNCTION, on_body);
  curl_easy_setopt(curl, CURLOPT_WRITEDATA, &received);
  curl_easy_setopt(curl, CURLOPT_HEADERFUNCTION, on_header);
  curl_easy_setopt(curl, CURLOPT_HEADERDATA, &received);
  curl_easy_setopt(curl, CURLOPT_PROTOCOLS_STR, "http,https");
  if (request.method == "HEAD") {
    curl_easy_setopt(curl, CURLOPT_NOBODY, 1L);
  } else if (request.method == "PUT") {
    curl_easy_setopt(curl, CURLOPT_UPLOAD, 1L);
    curl_easy_setopt(curl, CURLOPT_READFUNCTION, on_upload);
    curl_easy_setopt(curl, CURLOPT_READDATA, &upload);
    curl_easy_setopt(curl, CURLOPT_INFILESIZE_LARGE, static_cast<curl_off_t>(request.body.size()));
  } else if (request.method == "POST") {
    curl_easy_setopt(curl, CURLOPT_POST, 1L);
    // Never a null pointer: libcurl would then read the body from stdin.
    curl_easy_setopt(curl, CURLOPT_POSTFIELDS, request.body.empty() ? "" : request.body.data());
    curl_easy_setopt(curl, CURLOPT_POSTFIELDSIZE_LARGE,
                     static_cast<curl_off_t>(request.body.size()));
  } else if (request.method != "GET") {
    curl_easy_setopt(curl, CURLOPT_CUSTOMREQUEST, request.method.c_str());
  }

  const CURLcode code = curl_easy_perform(curl);
  curl_easy_setopt(curl, CURLOPT_ERRORBUFFER, nullptr);
  if (received.too_large) {
    throw StorageError("the answer to " + error + " is larger than the " +
                       std::to_string(max_body) + " bytes expected; is the endpoint an S3 server?");
  }
  if (code != CURLE_OK) {
    error = std::string(curl_easy_strerror(code)) +
            (error_buffer[0] ? std::string(" (") + error_buffer + ")" : "");
    if (code == CURLE_PARTIAL_FILE) error = "the body is shorter than its Content-Length: " + error;
    return std::nullopt;
  }
  curl_easy_getinfo(curl, CURLINFO_RESPONSE_CODE, &received.response.status);
  curl_off_t announced = -1;
  curl_easy_getinfo(curl, CURLINFO_CONTENT_LENGTH_DOWNLOAD_T, &announced);
  if (request.method != "HEAD" && announced >= 0 &&
      static_cast<std::uint64_t>(announced) != received.response.body.size()) {
    error = "the body has " + std::to_string(received.response.body.size()) +
            " bytes but Content-Length announced " + std::to_string(announced);
    return std::nullopt;
  }
  return std::move(received.response);
}

HttpResponse HttpClient::perform(const std::function<HttpRequest()>& prepare, std::string_view what,
                                 std::size_t max_body)
{
  HandlePtr handle = acquire();
  std::string last_error;
  for (int attempt_no = 1;; ++attempt_no) {
    const HttpRequest request = prepare();
    std::string error(what);
    std::optional<HttpResponse> response;
    try {
      response = attempt(handle.get(), request, max_body, error);
    } catch (...) {
      release(std::move(handle));
      throw;
    }
    const bool last = attempt_no >= m_policy.max_attempts;
    if (response && (!retryable_status(response->status) || last)) {
      response->attempts = attempt_no;
      release(std::move(handle));
      return std::move(*response);
    }
    last_error = response ? "HTTP " + std::to_string(response->status) : error;
    if (last) break;
    const auto delay = backoff(m_policy, attempt_no - 1);
    spdlog::debug("{}: {}; trying again in {} ms (attempt {} of {})", what, last_error,
                  delay.count(), attempt_no + 1, m_policy.max_attempts);
    // A broken connection must not be reused for the next try.
    handle.reset();
    handle = acquire();
    std::this_thread::sleep_for(delay);
  }
  release(std::move(handle));
  throw StorageError(std::string(what) + " failed: " + last_error + " (after " +
                         std::to_string(m_policy.max_attempts) +
                         " attempts); check the endpoint and the network, then try again",
                     false);
}

} // namespace lastgood::storage
