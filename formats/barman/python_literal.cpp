#include "formats/barman/python_literal.hpp"

#include "common/error.hpp"

#include <cctype>
#include <cerrno>
#include <cstdlib>

namespace lastgood::formats::barman {
namespace {

constexpr int kMaxDepth = 32;

class LiteralParser
{
public:
  explicit LiteralParser(std::string_view text) : m_text(text) {}

  PythonValue parse_all()
  {
    PythonValue value = parse_value(0);
    skip_spaces();
    if (m_pos != m_text.size()) fail("unexpected text after the value");
    return value;
  }

private:
  [[noreturn]] void fail(const std::string& what) const
  {
    throw ValidationError("Python literal: " + what + " at offset " + std::to_string(m_pos));
  }
  void skip_spaces()
  {
    while (m_pos < m_text.size() && (m_text[m_pos] == ' ' || m_text[m_pos] == '\t'))
      ++m_pos;
  }
  bool at_end() const { return m_pos >= m_text.size(); }
  char peek() const { return at_end() ? '\0' : m_text[m_pos]; }
  bool take_word(std::string_view word)
  {
    if (m_text.substr(m_pos, word.size()) != word) return false;
    std::size_t after = m_pos + word.size();
    if (after < m_text.size() &&
        (std::isalnum(static_cast<unsigned char>(m_text[after])) || m_text[after] == '_'))
      return false;
    m_pos = after;
    return true;
  }

  PythonValue parse_value(int depth)
  {
    if (depth > kMaxDepth) fail("nesting deeper than 32 levels");
    skip_spaces();
    if (at_end()) fail("missing value");
    PythonValue value;
    char c = peek();
    if (take_word("None")) return value;
    if (take_word("True") || take_word("False")) {
      value.kind = PythonValue::Kind::Bool;
      value.boolean = m_text[m_pos - 1] == 'e' && m_text[m_pos - 2] == 'u';
      return value;
    }
    if (c == '\'' || c == '"') {
      value.kind = PythonValue::Kind::String;
      value.text = parse_string();
      return value;
    }
    if (c == '[') return parse_sequence(PythonValue::Kind::List, ']', depth);
    if (c == '(') return parse_sequence(PythonValue::Kind::Tuple, ')', depth);
    if (c == '{') return parse_dict(depth);
    if (c == '-' || c == '+' || (c >= '0' && c <= '9') || c == '.') return parse_number();
    fail(std::string("unexpected character '") + c + "'");
  }

  PythonValue parse_sequence(PythonValue::Kind kind, char close, int depth)
  {
    PythonValue value;
    value.kind = kind;
    ++m_pos;
    skip_spaces();
    bool trailing_comma = false;
    while (peek() != close) {
      value.items.push_back(parse_value(depth + 1));
      skip_spaces();
      trailing_comma = false;
      if (peek() == ',') {
        ++m_pos;
        skip_spaces();
        trailing_comma = true;
        continue;
      }
      if (peek() != close) fail(std::string("expected ',' or '") + close + "'");
    }
    ++m_pos;
    // (x) is x in Python, (x,) a tuple: Barman only writes the latter.
    if (kind == PythonValue::Kind::Tuple && value.items.size() == 1 && !trailing_comma)
      return std::move(value.items.front());
    return value;
  }

  PythonValue parse_dict(int depth)
  {
    PythonValue value;
    value.kind = PythonValue::Kind::Dict;
    ++m_pos;
    skip_spaces();
    while (peek() != '}') {
      PythonValue key = parse_value(depth + 1);
      skip_spaces();
      if (peek() != ':') fail("expected ':' in a dict");
      ++m_pos;
      PythonValue item = parse_value(depth + 1);
      value.entries.push_back({std::move(key), std::move(item)});
      skip_spaces();
      if (peek() == ',') {
        ++m_pos;
        skip_spaces();
        continue;
      }
      if (peek() != '}') fail("expected ',' or '}'");
    }
    ++m_pos;
    return value;
  }

  PythonValue parse_number()
  {
    std::size_t start = m_pos;
    bool is_float = false;
    if (peek() == '-' || peek() == '+') ++m_pos;
    while (!at_end()) {
      char c = peek();
      if (c >= '0' && c <= '9') {
        ++m_pos;
      } else if (c == '.' || c == 'e' || c == 'E') {
        is_float = true;
        ++m_pos;
        if ((c == 'e' || c == 'E') && (peek() == '-' || peek() == '+')) ++m_pos;
      } else {
        break;
      }
    }
    std::string digits(m_text.substr(start, m_pos - start));
    PythonValue value;
    char* end = nullptr;
    errno = 0;
    if (is_float) {
      value.kind = PythonValue::Kind::Float;
      value.real = std::strtod(digits.c_str(), &end);
    } else {
      value.kind = PythonValue::Kind::Int;
      value.integer = std::strtoll(digits.c_str(), &end, 10);
    }
    if (digits.empty() || end != digits.c_str() + digits.size()) {
      m_pos = start;
      fail("malformed number '" + digits + "'");
    }
    if (errno == ERANGE) {
      m_pos = start;
      fail("number out of range '" + digits + "'");
    }
    return value;
  }

  unsigned parse_hex(std::size_t count)
  {
    if (m_pos + count > m_text.size()) fail("truncated escape");
    unsigned v = 0;
    for (std::size_t i = 0; i < count; ++i) {
      char c = m_text[m_pos++];
      v <<= 4;
      if (c >= '0' && c <= '9')
        v |= static_cast<unsigned>(c - '0');
      else if (c >= 'a' && c <= 'f')
        v |= static_cast<unsigned>(c - 'a' + 10);
      else if (c >= 'A' && c <= 'F')
        v |= static_cast<unsigned>(c - 'A' + 10);
      else
        fail("bad hex digit in escape");
    }
    return v;
  }

  static void append_utf8(std::string& out, unsigned cp)
  {
    if (cp < 0x80) {
      out += static_cast<char>(cp);
    } else if (cp < 0x800) {
      out += static_cast<char>(0xC0 | (cp >> 6));
      out += static_cast<char>(0x80 | (cp & 0x3F));
    } else if (cp < 0x10000) {
      out += static_cast<char>(0xE0 | (cp >> 12));
      out += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
      out += static_cast<char>(0x80 | (cp & 0x3F));
    } else {
      out += static_cast<char>(0xF0 | (cp >> 18));
      out += static_cast<char>(0x80 | ((cp >> 12) & 0x3F));
      out += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
      out += static_cast<char>(0x80 | (cp & 0x3F));
    }
  }

  std::string parse_string()
  {
    char quote = m_text[m_pos++];
    std::string out;
    while (true) {
      if (at_end()) fail("unterminated string");
      char c = m_text[m_pos++];
      if (c == quote) return out;
      if (c != '\\') {
        out += c;
        continue;
      }
      if (at_end()) fail("unterminated escape");
      char e = m_text[m_pos++];
      switch (e) {
      case '\\':
        out += '\\';
        break;
      case '\'':
        out += '\'';
        break;
      case '"':
        out += '"';
        break;
      case 'n':
        out += '\n';
        break;
      case 't':
        out += '\t';
        break;
      case 'r':
        out += '\r';
        break;
      case 'x':
        out += static_cast<char>(parse_hex(2));
        break;
      case 'u':
        append_utf8(out, parse_hex(4));
        break;
      case 'U': {
        unsigned cp = parse_hex(8);
        if (cp > 0x10FFFF) fail("code point out of range");
        append_utf8(out, cp);
        break;
      }
      default:
        fail(std::string("unknown escape '\\") + e + "'");
      }
    }
  }

  std::string_view m_text;
  std::size_t m_pos = 0;
};

} // namespace

PythonValue parse_python_literal(std::string_view text)
{
  return LiteralParser(text).parse_all();
}

} // namespace lastgood::formats::barman
