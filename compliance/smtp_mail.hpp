#pragma once
// One mail through an SMTP server with libcurl: smtp:// with STARTTLS
// (required, try or off) or smtps://, AUTH when a username is set, the
// server's certificate checked (against ca_file when given). Never throws;
// the password never appears in the error it returns.

#include "common/config.hpp"

#include <string>

namespace lastgood::compliance {

struct MailResult
{
  bool delivered = false;
  std::string error; // what failed, password masked
};

// A complete RFC 5322 message: Date, From, To, Subject, Message-ID, MIME headers, body.
std::string mail_message(const NotifyChannel& channel, const std::string& subject,
                         const std::string& body);

MailResult send_mail(const NotifyChannel& channel, const std::string& subject,
                     const std::string& body) noexcept;

} // namespace lastgood::compliance
