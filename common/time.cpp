#include "common/time.hpp"

#include "common/error.hpp"

#include <cctype>
#include <date/date.h>
#include <regex>
#include <sstream>

namespace lastgood {

TimePoint now_seconds()
{
  return std::chrono::floor<std::chrono::seconds>(Clock::now());
}

std::string format_rfc3339(TimePoint t)
{
  return date::format("%FT%TZ", t);
}

namespace {

// The shape of the text each format may parse. date::parse reads some
// malformed stamps (e.g. "00:2(7:29") into NaN seconds and converts those to
// an integer, undefined behaviour found by fuzzing (tests/fuzz): only text of
// the right shape reaches it.
bool has_shape(std::string_view text, std::string_view format)
{
  static const std::regex date_time(
      R"(\d{4}-\d{1,2}-\d{1,2}[T ]\d{1,2}:\d{1,2}:\d{1,2}(\.\d+)?\s*)");
  static const std::regex date_time_offset(
      R"(\d{4}-\d{1,2}-\d{1,2}[T ]\d{1,2}:\d{1,2}:\d{1,2}(\.\d+)?[+-]\d{1,2}(:?\d{2})?\s*)");
  static const std::regex date_only(R"(\d{4}-\d{1,2}-\d{1,2}\s*)");
  const std::string s(text);
  if (format == "%F") return std::regex_match(s, date_only);
  if (format.ends_with("z")) return std::regex_match(s, date_time_offset);
  return std::regex_match(s, date_time);
}

bool try_parse(std::string_view text, const char* format, TimePoint& out)
{
  if (!has_shape(text, format)) return false;
  std::istringstream in{std::string(text)};
  date::sys_time<std::chrono::microseconds> t{};
  in >> date::parse(format, t);
  if (in.fail()) return false;
  in >> std::ws;
  if (!in.eof()) return false;
  out = std::chrono::floor<std::chrono::seconds>(t);
  return true;
}

// RFC 3339 offsets are -23:59..+23:59; date::parse's %Ez takes any two digits (+25:00).
bool offset_in_range(const std::string& s)
{
  if (s.size() < 6 || s[10] != 'T') return true; // a bare date or 'Z': no offset
  const std::string offset = s.substr(s.size() - 6);
  if ((offset[0] != '+' && offset[0] != '-') || offset[3] != ':') return true; // %Ez refuses it
  for (int i : {1, 2, 4, 5})
    if (!std::isdigit(static_cast<unsigned char>(offset[i]))) return true;
  const int hours = (offset[1] - '0') * 10 + (offset[2] - '0');
  const int minutes = (offset[4] - '0') * 10 + (offset[5] - '0');
  return hours <= 23 && minutes <= 59;
}

} // namespace

TimePoint parse_rfc3339(std::string_view text)
{
  std::string s(text);
  for (char& c : s)
    if (c == 't') c = 'T';
  if (s.size() > 10 && s[10] == ' ') s[10] = 'T';
  if (!s.empty() && (s.back() == 'Z' || s.back() == 'z')) s.back() = 'Z';
  TimePoint out;
  if (!offset_in_range(s))
    throw ValidationError("invalid time '" + std::string(text) +
                          "': the offset must be between -23:59 and +23:59");
  if (!s.empty() && s.back() == 'Z') {
    s.pop_back();
    if (try_parse(s, "%FT%T", out)) return out;
  } else if (try_parse(s, "%FT%T%Ez", out) || try_parse(s, "%F", out)) {
    return out;
  }
  throw ValidationError("invalid time '" + std::string(text) +
                        "': use RFC 3339, e.g. 2026-11-22T02:00:00Z or 2026-11-22T03:00:00+01:00");
}

bool parse_pg_timestamp(std::string_view text, TimePoint& out)
{
  auto space = text.rfind(' ');
  if (space == std::string_view::npos) return false;
  std::string_view zone = text.substr(space + 1);
  std::string_view stamp = text.substr(0, space);
  if (zone == "UTC" || zone == "GMT" || zone == "Z") return try_parse(stamp, "%F %T", out);
  // Numeric zones such as "+01" or "-0530" (log_timezone set to an offset).
  if (!zone.empty() && (zone[0] == '+' || zone[0] == '-')) {
    std::string z(zone);
    if (z.size() == 3) z += "00";
    return try_parse(std::string(stamp) + z, "%F %T%z", out);
  }
  return false;
}

std::chrono::seconds parse_duration(std::string_view text)
{
  if (text.empty()) throw ValidationError("empty duration: use e.g. 90s, 36h, 7d");
  long long total = 0;
  size_t i = 0;
  while (i < text.size()) {
    size_t start = i;
    while (i < text.size() && std::isdigit(static_cast<unsigned char>(text[i])))
      ++i;
    if (i == start || i == text.size())
      throw ValidationError("invalid duration '" + std::string(text) +
                            "': use a number and a unit (s, m, h, d, w), e.g. 90s, 36h, 7d");
    long long n = std::stoll(std::string(text.substr(start, i - start)));
    switch (text[i]) {
    case 's':
      total += n;
      break;
    case 'm':
      total += n * 60;
      break;
    case 'h':
      total += n * 3600;
      break;
    case 'd':
      total += n * 86400;
      break;
    case 'w':
      total += n * 7 * 86400;
      break;
    default:
      throw ValidationError("invalid duration unit '" + std::string(1, text[i]) + "' in '" +
                            std::string(text) + "': use s, m, h, d or w");
    }
    ++i;
  }
  return std::chrono::seconds(total);
}

std::string format_duration(std::chrono::seconds d)
{
  long long s = d.count();
  std::ostringstream out;
  // Streamed rather than "-" + string: GCC 12 at -O3 warns -Wrestrict on that (GCC bug 105651).
  if (s < 0) {
    out << '-';
    s = -s;
  }
  if (s >= 86400) {
    out << s / 86400 << 'd';
    s %= 86400;
  }
  if (s >= 3600) {
    out << s / 3600 << 'h';
    s %= 3600;
  }
  if (s >= 60) {
    out << s / 60 << 'm';
    s %= 60;
  }
  if (s > 0 || d.count() == 0) out << s << 's';
  return out.str();
}

} // namespace lastgood
