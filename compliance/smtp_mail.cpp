#include "compliance/smtp_mail.hpp"

#include "common/redact.hpp"
#include "common/time.hpp"

#include <algorithm>
#include <curl/curl.h>
#include <date/date.h>
#include <memory>
#include <random>

namespace lastgood::compliance {

namespace {

constexpr long kMailTimeoutMs = 30000;
constexpr long kConnectTimeoutMs = 10000;

struct CurlDeleter
{
  void operator()(CURL* c) const { curl_easy_cleanup(c); }
};
struct SlistDeleter
{
  void operator()(curl_slist* l) const { curl_slist_free_all(l); }
};

struct Payload
{
  const std::string* text;
  std::size_t offset = 0;
};

std::size_t read_payload(char* buffer, std::size_t size, std::size_t n, void* user)
{
  auto* p = static_cast<Payload*>(user);
  const auto len = std::min(size * n, p->text->size() - p->offset);
  std::copy_n(p->text->data() + p->offset, len, buffer);
  p->offset += len;
  return len;
}

// Header values on one line: a newline in a subject would start a new header.
std::string one_line(std::string text)
{
  std::replace(text.begin(), text.end(), '\r', ' ');
  std::replace(text.begin(), text.end(), '\n', ' ');
  return text;
}

std::string angle(const std::string& address)
{
  return address.find('<') == std::string::npos ? "<" + address + ">" : address;
}

std::string domain_of(const std::string& address)
{
  auto at = address.rfind('@');
  auto end = address.find('>', at == std::string::npos ? 0 : at);
  return at == std::string::npos ? "lastgood.invalid" : address.substr(at + 1, end - at - 1);
}

std::string rfc5322_date(TimePoint t)
{
  return date::format("%a, %d %b %Y %H:%M:%S +0000", t);
}

std::string masked(std::string text, const std::string& password)
{
  if (password.size() >= 2)
    for (auto pos = text.find(password); pos != std::string::npos; pos = text.find(password, pos))
      text.replace(pos, password.size(), "********");
  return redact(text);
}

} // namespace

std::string mail_message(const NotifyChannel& channel, const std::string& subject,
                         const std::string& body)
{
  std::string to;
  for (const auto& r : channel.to)
    to += (to.empty() ? "" : ", ") + one_line(r);
  std::string message = "Date: " + rfc5322_date(now_seconds()) + "\r\n";
  message += "From: " + one_line(channel.from) + "\r\n";
  message += "To: " + to + "\r\n";
  message += "Subject: " + one_line(subject) + "\r\n";
  message += "Message-ID: <lastgood." + std::to_string(std::random_device{}()) +
             std::to_string(now_seconds().time_since_epoch().count()) + "@" +
             domain_of(channel.from) + ">\r\n";
  message += "MIME-Version: 1.0\r\nContent-Type: text/plain; charset=utf-8\r\n"
             "Content-Transfer-Encoding: 8bit\r\nAuto-Submitted: auto-generated\r\n\r\n";
  // CRLF line ends; a line holding a single '.' is escaped by libcurl.
  for (char c : body) {
    if (c == '\n')
      message += "\r\n";
    else if (c != '\r')
      message += c;
  }
  if (!body.empty() && body.back() != '\n') message += "\r\n";
  return message;
}

MailResult send_mail(const NotifyChannel& channel, const std::string& subject,
                     const std::string& body) noexcept
{
  MailResult result;
  try {
    const auto message = mail_message(channel, subject, body);
    char error_buffer[CURL_ERROR_SIZE] = {};
    std::unique_ptr<CURL, CurlDeleter> curl(curl_easy_init());
    curl_slist* list = nullptr;
    for (const auto& r : channel.to)
      if (auto* longer = curl_slist_append(list, angle(r).c_str())) list = longer;
    std::unique_ptr<curl_slist, SlistDeleter> recipients(list);
    if (!curl || !recipients) {
      result.error = !curl ? "could not initialise libcurl" : "no recipients (to = [...])";
      return result;
    }
    CURL* c = curl.get();
    const auto from = angle(channel.from);
    Payload payload{&message};
    curl_easy_setopt(c, CURLOPT_URL, channel.url.c_str());
    curl_easy_setopt(c, CURLOPT_MAIL_FROM, from.c_str());
    curl_easy_setopt(c, CURLOPT_MAIL_RCPT, recipients.get());
    curl_easy_setopt(c, CURLOPT_READFUNCTION, read_payload);
    curl_easy_setopt(c, CURLOPT_READDATA, &payload);
    curl_easy_setopt(c, CURLOPT_UPLOAD, 1L);
    curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(c, CURLOPT_TIMEOUT_MS, kMailTimeoutMs);
    curl_easy_setopt(c, CURLOPT_CONNECTTIMEOUT_MS, kConnectTimeoutMs);
    curl_easy_setopt(c, CURLOPT_ERRORBUFFER, error_buffer);
    if (channel.url.rfind("smtp://", 0) == 0)
      curl_easy_setopt(c, CURLOPT_USE_SSL,
                       channel.starttls == "off"   ? static_cast<long>(CURLUSESSL_NONE)
                       : channel.starttls == "try" ? static_cast<long>(CURLUSESSL_TRY)
                                                   : static_cast<long>(CURLUSESSL_ALL));
    if (!channel.ca_file.empty()) curl_easy_setopt(c, CURLOPT_CAINFO, channel.ca_file.c_str());
    if (!channel.username.empty()) {
      curl_easy_setopt(c, CURLOPT_USERNAME, channel.username.c_str());
      curl_easy_setopt(c, CURLOPT_PASSWORD, channel.password.c_str());
    }
    const CURLcode code = curl_easy_perform(c);
    if (code == CURLE_OK) {
      result.delivered = true;
      return result;
    }
    long status = 0;
    curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &status);
    std::string why = *error_buffer ? error_buffer : curl_easy_strerror(code);
    if (code == CURLE_LOGIN_DENIED) why += " (check username and password)";
    if (code == CURLE_USE_SSL_FAILED)
      why += " (the server offers no STARTTLS: starttls = \"try\" or \"off\" accepts that)";
    result.error = masked("mail to " + redact(channel.url) + " not sent: " + why +
                              (status ? " (SMTP " + std::to_string(status) + ")" : ""),
                          channel.password);
  } catch (const std::exception& e) {
    result.error = masked(e.what(), channel.password);
  } catch (...) {
    result.error = "unexpected error while sending mail";
  }
  return result;
}

} // namespace lastgood::compliance
