#include "compliance/webhook.hpp"

#include "catalog/verification_runs.hpp"

#include <curl/curl.h>
#include <memory>
#include <mutex>
#include <nlohmann/json.hpp>
#include <spdlog/spdlog.h>
#include <thread>

namespace lastgood::compliance {

namespace {

using Clock = std::chrono::steady_clock;
using std::chrono::milliseconds;

struct CurlDeleter
{
  void operator()(CURL* c) const { curl_easy_cleanup(c); }
};
struct SlistDeleter
{
  void operator()(curl_slist* l) const { curl_slist_free_all(l); }
};

void global_init()
{
  static std::once_flag once;
  std::call_once(once, [] { curl_global_init(CURL_GLOBAL_DEFAULT); });
}

std::size_t discard(char*, std::size_t size, std::size_t n, void*)
{
  return size * n;
}

// Replaces every occurrence of the URL (and its path) in a message.
std::string scrub(std::string text, const std::string& url)
{
  auto redacted = redact_webhook_url(url);
  for (const auto& secret :
       {url, url.substr(std::min(url.size(), url.find('/', url.find("://") + 3)))}) {
    if (secret.size() < 2) continue;
    for (auto pos = text.find(secret); pos != std::string::npos;
         pos = text.find(secret, pos + redacted.size()))
      text.replace(pos, secret.size(), redacted);
  }
  return text;
}

bool retryable(CURLcode code, long status)
{
  if (code != CURLE_OK) return true; // connection refused, DNS, timeout, reset...
  return status == 429 || status >= 500;
}

} // namespace

std::string redact_webhook_url(std::string_view url)
{
  auto scheme_end = url.find("://");
  if (scheme_end == std::string_view::npos) return "********";
  auto host_start = scheme_end + 3;
  auto host_end = url.find_first_of("/?#", host_start);
  auto host = url.substr(host_start, host_end == std::string_view::npos ? url.size() - host_start
                                                                        : host_end - host_start);
  if (auto at = host.rfind('@'); at != std::string_view::npos)
    host = host.substr(at + 1); // user:password@
  return std::string(url.substr(0, host_start)) + std::string(host) + "/********";
}

std::string slack_body(std::string_view text)
{
  return nlohmann::json{{"text", std::string(text)}}.dump(-1, ' ', false,
                                                          nlohmann::json::error_handler_t::replace);
}

WebhookResult send_webhook(const std::string& url, std::string_view text,
                           const WebhookOptions& options) noexcept
{
  try {
    return send_json(url, slack_body(text), options);
  } catch (const std::exception& e) {
    WebhookResult result;
    result.error = scrub(e.what(), url);
    return result;
  }
}

WebhookResult send_json(const std::string& url, const std::string& body,
                        const WebhookOptions& options) noexcept
{
  WebhookResult result;
  try {
    global_init();
    const auto deadline = Clock::now() + options.total_budget;
    auto backoff = options.first_backoff;
    for (int attempt = 1; attempt <= options.max_attempts; ++attempt) {
      auto left = std::chrono::duration_cast<milliseconds>(deadline - Clock::now());
      if (left.count() <= 0) break;
      char error_buffer[CURL_ERROR_SIZE] = {}; // outlives the handle that writes to it
      std::unique_ptr<CURL, CurlDeleter> curl(curl_easy_init());
      std::unique_ptr<curl_slist, SlistDeleter> headers(
          curl_slist_append(nullptr, "Content-Type: application/json"));
      if (!curl || !headers) {
        result.error = "could not initialise libcurl";
        return result;
      }
      CURL* c = curl.get();
      curl_easy_setopt(c, CURLOPT_URL, url.c_str());
      curl_easy_setopt(c, CURLOPT_HTTPHEADER, headers.get());
      curl_easy_setopt(c, CURLOPT_POSTFIELDS, body.c_str());
      curl_easy_setopt(c, CURLOPT_POSTFIELDSIZE, static_cast<long>(body.size()));
      curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
      curl_easy_setopt(c, CURLOPT_TIMEOUT_MS,
                       static_cast<long>(std::min(left, options.attempt_timeout).count()));
      curl_easy_setopt(c, CURLOPT_CONNECTTIMEOUT_MS,
                       static_cast<long>(std::min(left, options.connect_timeout).count()));
      curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, discard);
      curl_easy_setopt(c, CURLOPT_ERRORBUFFER, error_buffer);
      curl_easy_setopt(c, CURLOPT_USERAGENT, "lastgood/" LASTGOOD_VERSION);
      result.attempts = attempt;
      CURLcode code = curl_easy_perform(c);
      long status = 0;
      if (code == CURLE_OK) curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &status);
      result.last_status = status;
      if (code == CURLE_OK && status >= 200 && status < 300) {
        result.delivered = true;
        result.error.clear();
        return result;
      }
      result.error = code != CURLE_OK
                         ? scrub(*error_buffer ? error_buffer : curl_easy_strerror(code), url)
                         : "HTTP status " + std::to_string(status);
      if (!retryable(code, status)) break;
      auto pause =
          std::min(backoff, std::chrono::duration_cast<milliseconds>(deadline - Clock::now()));
      if (attempt == options.max_attempts || pause.count() <= 0) break;
      std::this_thread::sleep_for(pause);
      backoff *= 2;
    }
  } catch (const std::exception& e) {
    result.error = scrub(e.what(), url);
  }
  return result;
}

WebhookResult notify(const NotifyConfig& config, std::string_view text) noexcept
{
  WebhookResult r;
  if (config.webhook.empty()) return r;
  try {
    r = send_webhook(config.webhook,
                     "lastgood on " + catalog::this_host() + ": " + std::string(text));
    if (!r.delivered)
      spdlog::warn("notification to {} not delivered after {} attempt(s): {}",
                   redact_webhook_url(config.webhook), r.attempts, r.error);
  } catch (...) { // a notification never fails the job that sent it
    r.delivered = false;
    if (r.error.empty()) r.error = "unexpected error while sending";
  }
  return r;
}

} // namespace lastgood::compliance
