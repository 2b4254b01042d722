#include "common/markup_escape.hpp"

namespace lastgood {

std::string markup_escape(std::string_view text)
{
  std::string out;
  out.reserve(text.size());
  for (char c : text) {
    switch (c) {
    case '&': out += "&amp;"; break;
    case '<': out += "&lt;"; break;
    case '>': out += "&gt;"; break;
    case '"': out += "&quot;"; break;
    case '\'': out += "&#39;"; break;  // &apos; is not HTML 4; &#39; is read by both
    default: out += c;
    }
  }
  return out;
}

} // namespace lastgood
