#include "pg/timeline_history.hpp"

#include "common/error.hpp"

#include <cctype>
#include <charconv>

namespace lastgood::pg {

namespace {

bool is_space(char c)
{
  return c == ' ' || c == '\t' || c == '\r';
}

[[noreturn]] void fail(size_t line_no, std::string_view line, const std::string& what)
{
  throw ValidationError("timeline history line " + std::to_string(line_no) + ": " + what + " in '" +
                        std::string(line) + "'");
}

} // namespace

// Mirrors readTimeLineHistory (timeline.c): "%u\t%X/%X" then the reason; lines
// that are blank or start with '#' are skipped. PostgreSQL itself writes blank
// lines (a separator before each appended entry, and reasons ending in '\n').
std::vector<TimelineHistoryEntry> parse_timeline_history(std::string_view text)
{
  std::vector<TimelineHistoryEntry> entries;
  size_t line_no = 0;
  while (!text.empty()) {
    ++line_no;
    auto nl = text.find('\n');
    std::string_view line = text.substr(0, nl);
    text.remove_prefix(nl == std::string_view::npos ? text.size() : nl + 1);

    std::string_view rest = line;
    while (!rest.empty() && is_space(rest.front()))
      rest.remove_prefix(1);
    if (rest.empty() || rest.front() == '#') continue;

    TimelineHistoryEntry entry;
    auto [end, ec] = std::from_chars(rest.data(), rest.data() + rest.size(), entry.parent_timeline);
    if (ec != std::errc() || end == rest.data())
      fail(line_no, line, "expected a numeric parent timeline ID");
    if (entry.parent_timeline == 0) fail(line_no, line, "timeline ID 0 is invalid");
    rest.remove_prefix(static_cast<size_t>(end - rest.data()));
    if (rest.empty()) fail(line_no, line, "expected a switch point LSN after the timeline ID");
    if (!is_space(rest.front())) fail(line_no, line, "expected a tab after the timeline ID");
    while (!rest.empty() && is_space(rest.front()))
      rest.remove_prefix(1);

    size_t lsn_end = 0;
    while (lsn_end < rest.size() && !is_space(rest[lsn_end]))
      ++lsn_end;
    auto lsn = Lsn::try_parse(rest.substr(0, lsn_end));
    if (!lsn) fail(line_no, line, "expected a switch point LSN such as 0/30017E0");
    entry.switch_lsn = *lsn;
    rest.remove_prefix(lsn_end);
    if (!rest.empty()) rest.remove_prefix(1); // the tab before the reason
    while (!rest.empty() && rest.back() == '\r')
      rest.remove_suffix(1);
    entry.reason = std::string(rest);

    if (!entries.empty() && entry.parent_timeline <= entries.back().parent_timeline)
      fail(line_no, line, "timeline IDs must increase from line to line");
    entries.push_back(std::move(entry));
  }
  return entries;
}

} // namespace lastgood::pg
