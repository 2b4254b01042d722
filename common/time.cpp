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

// Dates and times are read field by field here, not by date::parse: on
// malformed stamps ("00:2(7:29", seconds "2.09") it computes NaN seconds and
// converts them to an integer, and after %z it negates an unset offset for
// "-1" — undefined behaviour found by fuzzing (tests/fuzz). `format` is "%F"
// (a date alone) or a date and a time ('T' or ' ' between, a fraction of a
// second allowed and dropped); nothing may follow but spaces.
bool try_parse(std::string_view text, const char* format, TimePoint& out)
{
  static const std::regex date_time(
      R"((\d{4})-(\d{1,2})-(\d{1,2})[T ](\d{1,2}):(\d{1,2}):(\d{1,2})(?:\.\d+)?\s*)");
  static const std::regex date_only(R"((\d{4})-(\d{1,2})-(\d{1,2})\s*)");
  const std::string s(text);
  std::smatch m;
  const bool has_time = std::string_view(format) != "%F";
  if (!std::regex_match(s, m, has_time ? date_time : date_only)) return false;
  const auto field = [&m](int i) { return m[i].matched ? std::stoi(m[i].str()) : 0; };
  const date::year_month_day day{date::year{field(1)}, date::month(static_cast<unsigned>(field(2))),
                                 date::day(static_cast<unsigned>(field(3)))};
  if (!day.ok()) return false;
  const int hours = field(4), minutes = field(5), seconds = field(6);
  if (hours > 23 || minutes > 59 || seconds > 60) return false; // 60: a leap second
  out = date::sys_days{day} + std::chrono::hours(hours) + std::chrono::minutes(minutes) +
        std::chrono::seconds(seconds);
  return true;
}

// A numeric UTC offset: +HH, +HHMM or +HH:MM. RFC 3339 allows -23:59..+23:59
// (date::parse's %z would take +25:00 as 25 hours).
struct UtcOffset
{
  bool well_formed = false;
  bool in_range = false;
  std::chrono::minutes value{0};
};

UtcOffset read_offset(std::string_view z)
{
  UtcOffset o;
  if (z.size() < 3 || (z[0] != '+' && z[0] != '-')) return o;
  std::string digits;
  for (size_t i = 1; i < z.size(); ++i) {
    if (z[i] == ':' && i == 3 && z.size() == 6) continue;
    if (!std::isdigit(static_cast<unsigned char>(z[i]))) return o;
    digits += z[i];
  }
  if (digits.size() != 2 && digits.size() != 4) return o;
  o.well_formed = true;
  const int hours = std::stoi(digits.substr(0, 2));
  const int minutes = digits.size() == 4 ? std::stoi(digits.substr(2)) : 0;
  o.in_range = hours <= 23 && minutes <= 59;
  o.value = std::chrono::minutes((z[0] == '-' ? -1 : 1) * (hours * 60 + minutes));
  return o;
}

// Where a trailing offset starts in "YYYY-MM-DDTHH:MM:SS[.f]±..", or npos.
size_t offset_start(const std::string& s)
{
  if (s.size() <= 11 || s[10] != 'T') return std::string::npos;
  const size_t at = s.find_last_of("+-");
  return at != std::string::npos && at > 10 ? at : std::string::npos;
}

} // namespace

TimePoint parse_rfc3339(std::string_view text)
{
  std::string s(text);
  for (char& c : s)
    if (c == 't') c = 'T';
  if (s.size() > 10 && s[10] == ' ') s[10] = 'T';
  if (!s.empty() && (s.back() == 'Z' || s.back() == 'z')) s.back() = 'Z';
  const auto invalid = [&] {
    return ValidationError(
        "invalid time '" + std::string(text) +
        "': use RFC 3339, e.g. 2026-11-22T02:00:00Z or 2026-11-22T03:00:00+01:00");
  };
  TimePoint out;
  if (!s.empty() && s.back() == 'Z') {
    s.pop_back();
    if (try_parse(s, "%FT%T", out)) return out;
    throw invalid();
  }
  if (const size_t at = offset_start(s); at != std::string::npos) {
    const UtcOffset offset = read_offset(std::string_view(s).substr(at));
    if (!offset.well_formed) throw invalid();
    if (!offset.in_range)
      throw ValidationError("invalid time '" + std::string(text) +
                            "': the offset must be between -23:59 and +23:59");
    if (try_parse(s.substr(0, at), "%FT%T", out)) return out - offset.value;
    throw invalid();
  }
  if (try_parse(s, "%F", out)) return out;
  throw invalid();
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
    const UtcOffset offset = read_offset(zone);
    if (!offset.well_formed || !offset.in_range || !try_parse(stamp, "%F %T", out)) return false;
    out -= offset.value;
    return true;
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
