#include "common/redact.hpp"

#include <regex>

namespace lastgood {

std::string redact(std::string_view text)
{
  static const std::regex url_password(R"(([a-zA-Z][a-zA-Z0-9+.-]*://[^:/@\s]*:)[^@\s]*@)");
  static const std::regex keyword_secret(
      R"(((?:^|[\s?&;])(?:password|passwd|secret|token|sslpassword|aws_secret_access_key|aws_session_token|X-Amz-Signature|X-Amz-Credential|X-Amz-Security-Token)\s*=\s*)('[^']*'|[^\s&;]*))",
      std::regex::icase);
  std::string out = std::regex_replace(std::string(text), url_password, "$1********@");
  out = std::regex_replace(out, keyword_secret, "$1********");
  return out;
}

} // namespace lastgood
