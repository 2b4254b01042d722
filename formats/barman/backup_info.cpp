#include "formats/barman/backup_info.hpp"

#include "common/error.hpp"
#include "formats/barman/python_literal.hpp"
#include "pg/wal_archive_name.hpp"

#include <charconv>
#include <set>

namespace lastgood::formats::barman {
namespace {

std::string_view trim(std::string_view s)
{
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t' || s.front() == '\r'))
    s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t' || s.back() == '\r'))
    s.remove_suffix(1);
  return s;
}

template <typename Int> Int parse_unsigned(std::string_view value, const std::string& where)
{
  Int out = 0;
  auto [end, ec] = std::from_chars(value.data(), value.data() + value.size(), out);
  if (ec != std::errc() || end != value.data() + value.size() || value.empty())
    throw ValidationError(where + ": '" + std::string(value) + "' is not a non-negative integer");
  return out;
}

std::string parse_wal_name(std::string_view value, const std::string& where)
{
  auto name = pg::parse_wal_archive_name(value);
  if (!name || name->kind != pg::WalFileKind::Segment || !name->compression.empty() ||
      value.size() != 24)
    throw ValidationError(where + ": '" + std::string(value) + "' is not a WAL segment name");
  return name->canonical;
}

pg::Lsn parse_lsn(std::string_view value, const std::string& where)
{
  auto lsn = pg::Lsn::try_parse(value);
  if (!lsn) throw ValidationError(where + ": '" + std::string(value) + "' is not an LSN");
  return *lsn;
}

std::string parse_string_literal(std::string_view value, const std::string& where)
{
  PythonValue v = parse_python_literal(value);
  if (v.kind != PythonValue::Kind::String)
    throw ValidationError(where + ": expected a quoted string");
  return v.text;
}

// [('tbs', 16385, '/srv/tbs'), ...] (namedtuple Tablespace(name, oid, location)).
std::vector<BarmanTablespace> parse_tablespaces(std::string_view value, const std::string& where)
{
  PythonValue v = parse_python_literal(value);
  if (v.kind == PythonValue::Kind::None) return {};
  if (v.kind != PythonValue::Kind::List) throw ValidationError(where + ": expected a list");
  std::vector<BarmanTablespace> out;
  for (const PythonValue& item : v.items) {
    if ((item.kind != PythonValue::Kind::Tuple && item.kind != PythonValue::Kind::List) ||
        item.items.size() != 3 || item.items[0].kind != PythonValue::Kind::String ||
        item.items[1].kind != PythonValue::Kind::Int ||
        item.items[2].kind != PythonValue::Kind::String || item.items[1].integer <= 0 ||
        item.items[1].integer > 0xFFFFFFFFLL)
      throw ValidationError(where + ": each tablespace must be (name, oid, location)");
    out.push_back({item.items[0].text, static_cast<std::uint32_t>(item.items[1].integer),
                   item.items[2].text});
  }
  return out;
}

// "2026-11-26 06:46:59.966803+00:00"; a time without a zone is the Barman
// host's local time, which we cannot know: left unparsed, kept as text.
std::optional<TimePoint> zoned_time(std::string_view value)
{
  if (value.size() < 20 ||
      !(value.ends_with("Z") || value[value.size() - 6] == '+' || value[value.size() - 6] == '-'))
    return std::nullopt;
  try {
    return parse_rfc3339(value);
  } catch (const ValidationError&) {
    return std::nullopt;
  }
}

void assign(BarmanBackupInfo& info, std::string_view key, std::string_view value,
            const std::string& where)
{
  if (key == "backup_id")
    info.backup_id = value;
  else if (key == "status")
    info.status = value;
  else if (key == "server_name")
    info.server_name = value;
  else if (key == "backup_name")
    info.backup_name = value;
  else if (key == "mode")
    info.mode = value;
  else if (key == "begin_time") {
    info.begin_time = value;
    info.begin_time_utc = zoned_time(value);
  } else if (key == "end_time") {
    info.end_time = value;
    info.end_time_utc = zoned_time(value);
  } else if (key == "begin_wal")
    info.begin_wal = parse_wal_name(value, where);
  else if (key == "end_wal")
    info.end_wal = parse_wal_name(value, where);
  else if (key == "begin_xlog")
    info.begin_xlog = parse_lsn(value, where);
  else if (key == "end_xlog")
    info.end_xlog = parse_lsn(value, where);
  else if (key == "begin_offset")
    info.begin_offset = parse_unsigned<std::uint64_t>(value, where);
  else if (key == "end_offset")
    info.end_offset = parse_unsigned<std::uint64_t>(value, where);
  else if (key == "timeline")
    info.timeline = parse_unsigned<std::uint32_t>(value, where);
  else if (key == "systemid")
    info.systemid = parse_unsigned<std::uint64_t>(value, where);
  else if (key == "version")
    info.version = parse_unsigned<int>(value, where);
  else if (key == "size")
    info.size = parse_unsigned<std::uint64_t>(value, where);
  else if (key == "deduplicated_size")
    info.deduplicated_size = parse_unsigned<std::uint64_t>(value, where);
  else if (key == "compression")
    info.compression = value;
  else if (key == "pgdata")
    info.pgdata = value;
  else if (key == "error")
    info.error = value;
  else if (key == "backup_label")
    info.backup_label = parse_string_literal(value, where);
  else if (key == "tablespaces")
    info.tablespaces = parse_tablespaces(value, where);
  else if (key == "xlog_segment_size") {
    info.xlog_segment_size = parse_unsigned<std::uint64_t>(value, where);
    if (!pg::valid_segment_size(info.xlog_segment_size))
      throw ValidationError(where + ": " + std::string(value) + " is not a WAL segment size");
  } else {
    info.other.emplace(key, value);
  }
}

} // namespace

BarmanBackupInfo parse_backup_info(std::string_view text)
{
  BarmanBackupInfo info;
  std::set<std::string, std::less<>> seen;
  std::size_t line_number = 0;
  while (!text.empty()) {
    std::size_t nl = text.find('\n');
    std::string_view line = text.substr(0, nl);
    text = nl == std::string_view::npos ? std::string_view{} : text.substr(nl + 1);
    ++line_number;
    std::string_view content = trim(line);
    if (content.empty() || content.front() == '#') continue;
    std::size_t eq = content.find('=');
    std::string where = "line " + std::to_string(line_number);
    if (eq == std::string_view::npos) throw ValidationError(where + ": no '=' in a key=value line");
    std::string_view key = trim(content.substr(0, eq));
    std::string_view value = trim(content.substr(eq + 1));
    if (key.empty()) throw ValidationError(where + ": empty key");
    where += " (" + std::string(key) + ")";
    if (!seen.insert(std::string(key)).second) throw ValidationError(where + ": duplicate key");
    if (value == "None") continue; // Barman writes unset fields as None
    try {
      assign(info, key, value, where);
    } catch (const ValidationError& e) {
      std::string message = e.what();
      if (message.starts_with("line ")) throw;
      throw ValidationError(where + ": " + message); // from the Python literal parser
    }
  }
  return info;
}

bool is_done(const BarmanBackupInfo& info)
{
  return info.status == "DONE";
}

} // namespace lastgood::formats::barman
