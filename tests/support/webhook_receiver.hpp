#pragma once
// A real HTTP server on loopback (tests/support/webhook_receiver.py) that
// records every webhook request it receives.

#include "tests/support/loopback_http_server.hpp"

#include <string>

namespace lastgood::testing {

class WebhookReceiver : public LoopbackHttpServer
{
public:
  // options: see webhook_receiver.py (--fail-first N, --status S, --hang).
  // requests(): {"path", "content_type", "body"} each.
  explicit WebhookReceiver(const std::string& options = "")
      : LoopbackHttpServer("webhook_receiver.py", options)
  {
  }
};

} // namespace lastgood::testing
