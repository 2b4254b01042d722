#include "formats/barman/xlog_db.hpp"

#include "pg/wal_archive_name.hpp"

#include <charconv>
#include <cmath>
#include <optional>

namespace lastgood::formats::barman {
namespace {

std::vector<std::string_view> split_whitespace(std::string_view line)
{
  std::vector<std::string_view> fields;
  std::size_t i = 0;
  while (i < line.size()) {
    while (i < line.size() && (line[i] == ' ' || line[i] == '\t' || line[i] == '\r'))
      ++i;
    std::size_t start = i;
    while (i < line.size() && line[i] != ' ' && line[i] != '\t' && line[i] != '\r')
      ++i;
    if (i > start) fields.push_back(line.substr(start, i - start));
  }
  return fields;
}

// The reason the line is not an entry, or the entry.
std::optional<std::string> parse_line(std::string_view line, XlogDbEntry& entry)
{
  auto fields = split_whitespace(line);
  if (fields.size() != 3 && fields.size() != 4)
    return "expected name, size, time and compression, found " + std::to_string(fields.size()) +
           " fields";
  auto name = pg::parse_wal_archive_name(fields[0]);
  if (!name || !name->compression.empty())
    return "'" + std::string(fields[0]) + "' is not a WAL file name";
  entry.name = fields[0];
  auto [end, ec] =
      std::from_chars(fields[1].data(), fields[1].data() + fields[1].size(), entry.size);
  if (ec != std::errc() || end != fields[1].data() + fields[1].size())
    return "size '" + std::string(fields[1]) + "' is not a number";
  auto [tend, tec] =
      std::from_chars(fields[2].data(), fields[2].data() + fields[2].size(), entry.time);
  if (tec != std::errc() || tend != fields[2].data() + fields[2].size() ||
      !std::isfinite(entry.time))
    return "time '" + std::string(fields[2]) + "' is not a number";
  if (fields.size() == 4 && fields[3] != "None") entry.compression = fields[3];
  return std::nullopt;
}

} // namespace

XlogDb parse_xlog_db(std::string_view text)
{
  XlogDb db;
  std::size_t line_number = 0;
  while (!text.empty()) {
    std::size_t nl = text.find('\n');
    std::string_view line = text.substr(0, nl);
    text = nl == std::string_view::npos ? std::string_view{} : text.substr(nl + 1);
    ++line_number;
    if (split_whitespace(line).empty()) continue;
    XlogDbEntry entry;
    if (auto why = parse_line(line, entry))
      db.malformed.push_back("line " + std::to_string(line_number) + ": " + *why);
    else
      db.entries.push_back(std::move(entry));
  }
  return db;
}

} // namespace lastgood::formats::barman
