#pragma once
// A real HTTP receiver for webhook notifications on a free loopback port
// (tests/support/webhook_receiver.py), stopped when it goes out of scope.

#include "tests/support/temp_dir.hpp"

#include <nlohmann/json.hpp>
#include <string>
#include <sys/types.h>
#include <vector>

namespace lastgood::testing {

class WebhookReceiver
{
public:
  // options: see webhook_receiver.py (--fail-first N, --status S, --hang).
  explicit WebhookReceiver(const std::string& options = "");
  ~WebhookReceiver();
  WebhookReceiver(const WebhookReceiver&) = delete;
  WebhookReceiver& operator=(const WebhookReceiver&) = delete;

  std::string base_url() const; // "http://127.0.0.1:PORT"
  // Every request so far: {"path", "content_type", "body"}.
  std::vector<nlohmann::json> requests() const;

private:
  std::filesystem::path port_file() const { return m_dir.path() / "port"; }
  std::filesystem::path log_file() const { return m_dir.path() / "requests.jsonl"; }
  TempDir m_dir;
  pid_t m_pid = 0;
  int m_port = 0;
};

} // namespace lastgood::testing
