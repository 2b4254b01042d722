#pragma once
// Notifications: a Slack-compatible JSON body {"text": ...} POSTed to
// [notify] webhook with libcurl. Bounded retries with backoff on connection
// errors, timeouts, 429 and 5xx; bounded total time; never throws, so it can
// neither fail nor hold up the job that triggered it. The URL is a secret
// (the path usually carries the token): it only appears redacted in logs.

#include "common/config.hpp"

#include <chrono>
#include <string>
#include <string_view>

namespace lastgood::compliance {

struct WebhookOptions
{
  int max_attempts = 4;
  std::chrono::milliseconds first_backoff{500}; // doubled after each failed attempt
  std::chrono::milliseconds attempt_timeout{4000};
  std::chrono::milliseconds connect_timeout{2000};
  std::chrono::milliseconds total_budget{10000}; // no attempt starts or runs past this
};

struct WebhookResult
{
  bool delivered = false;
  int attempts = 0;
  long last_status = 0; // HTTP status of the last answer, 0 when none
  std::string error;    // why it was not delivered (URL redacted)
};

// "https://hooks.example.com/services/T0/B0/secret?x=y" -> "https://hooks.example.com/********"
std::string redact_webhook_url(std::string_view url);

std::string slack_body(std::string_view text);

WebhookResult send_webhook(const std::string& url, std::string_view text,
                           const WebhookOptions& options = {}) noexcept;
// POSTs a JSON body as it is (Slack blocks, a Teams card), with the same retries and budget.
WebhookResult send_json(const std::string& url, const std::string& body,
                        const WebhookOptions& options = {}) noexcept;

// Sends when a webhook is configured; logs a warning (URL redacted) when it
// could not be delivered. Prefixes the host name, so a channel fed by many
// hosts tells them apart. Returns what happened (attempts 0: no webhook
// configured), for callers that report delivery themselves (`run`).
WebhookResult notify(const NotifyConfig& config, std::string_view text) noexcept;

} // namespace lastgood::compliance
