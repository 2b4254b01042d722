#pragma once
// A real SMTP server on loopback (tests/support/smtp_receiver.py, aiosmtpd)
// that records every message it receives: {"mail_from", "rcpt_tos", "data",
// "auth_user", "tls"} each, through requests().

#include "tests/support/loopback_http_server.hpp"

#include <string>

namespace lastgood::testing {

class SmtpReceiver : public LoopbackHttpServer
{
public:
  // options: see smtp_receiver.py (--user U --password P, --cert C --key K, --require-starttls).
  explicit SmtpReceiver(const std::string& options = "")
      : LoopbackHttpServer("smtp_receiver.py", options)
  {
  }
  std::string smtp_url() const { return "smtp" + base_url().substr(4); } // "smtp://127.0.0.1:PORT"
};

} // namespace lastgood::testing
