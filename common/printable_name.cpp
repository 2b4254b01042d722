#include "common/printable_name.hpp"

namespace lastgood {

std::string printable_name(std::string_view name)
{
  static constexpr char kHex[] = "0123456789abcdef";
  std::string out;
  out.reserve(name.size());
  for (const char c : name) {
    const auto byte = static_cast<unsigned char>(c);
    switch (c) {
    case '\\':
      out += "\\\\";
      break;
    case '\n':
      out += "\\n";
      break;
    case '\r':
      out += "\\r";
      break;
    case '\t':
      out += "\\t";
      break;
    default:
      if (byte < 0x20 || byte == 0x7f) {
        out += "\\x";
        out += kHex[byte >> 4];
        out += kHex[byte & 0xf];
      } else {
        out += c; // UTF-8 passes through unchanged
      }
    }
  }
  return out;
}

std::string with_printable_name(std::string_view text, std::string_view name)
{
  const std::string printable = printable_name(name);
  if (name.empty() || printable == name) return std::string(text);
  std::string out;
  std::size_t start = 0;
  for (std::size_t at = text.find(name); at != std::string_view::npos;
       at = text.find(name, start)) {
    out.append(text.substr(start, at - start));
    out += printable;
    start = at + name.size();
  }
  out.append(text.substr(start));
  return out;
}

} // namespace lastgood
