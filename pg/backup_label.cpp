#include "pg/backup_label.hpp"

#include "common/error.hpp"

#include <cctype>
#include <charconv>

namespace lastgood::pg {

namespace {

struct Line
{
  size_t number;
  std::string_view text;
  std::string_view value;
};

[[noreturn]] void fail(const Line& line, const std::string& what)
{
  throw ValidationError("backup label line " + std::to_string(line.number) + ": " + what + " in '" +
                        std::string(line.text) + "'");
}

Lsn lsn_value(const Line& line, std::string_view text)
{
  auto lsn = Lsn::try_parse(text);
  if (!lsn) fail(line, "expected an LSN such as 0/2000028, got '" + std::string(text) + "'");
  return *lsn;
}

std::uint32_t timeline_value(const Line& line)
{
  std::uint32_t tli = 0;
  auto v = line.value;
  auto [end, ec] = std::from_chars(v.data(), v.data() + v.size(), tli);
  if (ec != std::errc() || end != v.data() + v.size() || v.empty() || tli == 0)
    fail(line, "expected a timeline ID (a positive number)");
  return tli;
}

// "0/2000028 (file 000000010000000000000002)" -> LSN and the file name. The
// "(file ...)" part is always written by PostgreSQL but not needed, so optional.
Lsn location_value(const Line& line, std::string& file)
{
  auto v = line.value;
  auto space = v.find(' ');
  Lsn lsn = lsn_value(line, v.substr(0, space));
  if (space == std::string_view::npos) return lsn;
  auto rest = v.substr(space + 1);
  constexpr std::string_view kOpen = "(file ";
  bool ok = rest.size() == kOpen.size() + 25 && rest.starts_with(kOpen) && rest.back() == ')';
  if (ok) {
    file = rest.substr(kOpen.size(), 24);
    for (char& c : file) {
      if (!std::isxdigit(static_cast<unsigned char>(c))) ok = false;
      c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
    }
  }
  if (!ok) fail(line, "expected '(file <24 hex digits>)' after the LSN");
  return lsn;
}

std::optional<TimePoint> time_value(std::string_view text)
{
  TimePoint t;
  if (parse_pg_timestamp(text, t)) return t;
  return std::nullopt; // e.g. a named zone such as "CET": keep only the text
}

} // namespace

// Same keys as read_backup_label (xlogrecovery.c) and the .backup history file
// writer (xlog.c / xlogbackup.c). Keys never contain ": ", so the first ": "
// separates key from value; values (LABEL in particular) may contain colons.
BackupLabel parse_backup_label(std::string_view text)
{
  BackupLabel out;
  bool have_start = false;
  size_t number = 0;
  while (!text.empty()) {
    ++number;
    auto nl = text.find('\n');
    std::string_view raw = text.substr(0, nl);
    text.remove_prefix(nl == std::string_view::npos ? text.size() : nl + 1);
    while (!raw.empty() && raw.back() == '\r')
      raw.remove_suffix(1);

    auto colon = raw.find(": ");
    if (colon == std::string_view::npos) continue; // blank or unknown line
    Line line{number, raw, raw.substr(colon + 2)};
    std::string_view key = raw.substr(0, colon);

    if (key == "START WAL LOCATION") {
      out.start_lsn = location_value(line, out.start_wal_file);
      have_start = true;
    } else if (key == "STOP WAL LOCATION") {
      out.stop_lsn = location_value(line, out.stop_wal_file);
    } else if (key == "CHECKPOINT LOCATION") {
      out.checkpoint_lsn = lsn_value(line, line.value);
    } else if (key == "BACKUP METHOD") {
      out.method = line.value;
    } else if (key == "BACKUP FROM") {
      out.backup_from = line.value;
    } else if (key == "START TIME") {
      out.start_time_text = line.value;
      out.start_time = time_value(line.value);
    } else if (key == "STOP TIME") {
      out.stop_time_text = line.value;
      out.stop_time = time_value(line.value);
    } else if (key == "LABEL") {
      out.label = line.value;
    } else if (key == "START TIMELINE") {
      out.start_timeline = timeline_value(line);
    } else if (key == "STOP TIMELINE") {
      out.stop_timeline = timeline_value(line);
    } else if (key == "INCREMENTAL FROM LSN") {
      out.incremental_from_lsn = lsn_value(line, line.value);
    } else if (key == "INCREMENTAL FROM TLI") {
      out.incremental_from_timeline = timeline_value(line);
    }
  }
  if (!have_start)
    throw ValidationError("backup label has no 'START WAL LOCATION:' line (is this a backup_label "
                          "or .backup file?)");
  return out;
}

} // namespace lastgood::pg
