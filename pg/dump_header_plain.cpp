// Plain SQL dumps (pg_dump -Fp and pg_dumpall): the header comment block,
// version comments, the database name and the trailing completion marker.
#include "common/error.hpp"
#include "pg/dump_header.hpp"

#include <algorithm>
#include <string>

namespace lastgood::pg {

namespace {

constexpr std::string_view kDumpTitle = "-- PostgreSQL database dump";
constexpr std::string_view kClusterTitle = "-- PostgreSQL database cluster dump";

// Splits text into lines without '\n' or a trailing '\r' (Windows pg_dump).
template <typename F> void for_each_line(std::string_view text, F&& f)
{
  while (!text.empty()) {
    auto nl = text.find('\n');
    std::string_view line = text.substr(0, nl);
    text.remove_prefix(nl == std::string_view::npos ? text.size() : nl + 1);
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
    if (!f(line)) return;
  }
}

// The first three lines: "--", the title, "--" (TEXT_DUMP_HEADER / TEXT_DUMPALL_HEADER).
std::string_view title_of(std::string_view head)
{
  std::string_view lines[3];
  int n = 0;
  for_each_line(head, [&](std::string_view line) {
    lines[n++] = line;
    return n < 3;
  });
  if (n < 3 || lines[0] != "--" || lines[2] != "--") return {};
  if (lines[1] == kDumpTitle || lines[1] == kClusterTitle) return lines[1];
  return {};
}

// One psql/SQL identifier argument: "quoted ""name""" or a bare word.
std::string take_identifier(std::string_view& s)
{
  std::string out;
  if (!s.empty() && s.front() == '"') {
    size_t i = 1;
    for (; i < s.size(); ++i) {
      if (s[i] == '"') {
        if (i + 1 < s.size() && s[i + 1] == '"') {
          out += '"';
          ++i;
        } else {
          break;
        }
      } else {
        out += s[i];
      }
    }
    s.remove_prefix(std::min(i + 1, s.size()));
    return out;
  }
  size_t end = s.find_first_of(" \t;");
  out = s.substr(0, end);
  s.remove_prefix(end == std::string_view::npos ? s.size() : end);
  return out;
}

// appendPsqlMetaConnect writes "\connect name" for simple names and
// "\connect -reuse-previous=on "dbname='my db'"" for the rest.
std::string connect_target(std::string_view args)
{
  constexpr std::string_view kReuse = "-reuse-previous=on ";
  if (!args.starts_with(kReuse)) return take_identifier(args);
  args.remove_prefix(kReuse.size());
  std::string connstr = take_identifier(args);
  std::string_view v = connstr;
  if (!v.starts_with("dbname=")) return {};
  v.remove_prefix(7);
  if (v.empty() || v.front() != '\'') return std::string(v);
  std::string out; // appendConnStrVal: single quotes, backslash escapes
  for (size_t i = 1; i < v.size() && v[i] != '\''; ++i) {
    if (v[i] == '\\' && i + 1 < v.size()) ++i;
    out += v[i];
  }
  return out;
}

// The completion marker must be followed by nothing but the trailer PostgreSQL
// writes after it ("--", blank lines, "\unrestrict KEY"); a marker with SQL
// or data after it is not the end of the dump.
bool ends_with_marker(std::string_view tail, std::string_view marker)
{
  bool found = false;
  for_each_line(tail, [&](std::string_view line) {
    if (line == marker)
      found = true;
    else if (found && !line.empty() && !line.starts_with("--") &&
             !line.starts_with("\\unrestrict "))
      found = false;
    return true;
  });
  return found;
}

} // namespace

bool looks_like_plain_dump(std::string_view head)
{
  return !title_of(head).empty();
}

DumpHeader parse_plain_dump_header(std::string_view head, std::string_view tail)
{
  std::string_view title = title_of(head);
  if (title.empty())
    throw ValidationError("not a plain SQL dump: the first lines are not \"--\", \"" +
                          std::string(kDumpTitle) + "\" (or \"" + std::string(kClusterTitle) +
                          "\"), \"--\"");
  DumpHeader h;
  h.format = DumpFormat::Plain;
  h.cluster_dump = title == kClusterTitle;
  h.compression = "none";

  std::string connect_db;
  for_each_line(head, [&](std::string_view line) {
    constexpr std::string_view kFrom = "-- Dumped from database version ";
    constexpr std::string_view kBy = "-- Dumped by pg_dump version ";
    constexpr std::string_view kCreate = "CREATE DATABASE ";
    constexpr std::string_view kConnect = "\\connect ";
    if (line.starts_with(kFrom) && h.server_version.empty()) {
      h.server_version = line.substr(kFrom.size());
    } else if (line.starts_with(kBy) && h.pg_dump_version.empty()) {
      h.pg_dump_version = line.substr(kBy.size());
    } else if (line.starts_with(kCreate) && h.database.empty()) {
      line.remove_prefix(kCreate.size());
      h.database = take_identifier(line);
    } else if (line.starts_with(kConnect) && connect_db.empty()) {
      connect_db = connect_target(line.substr(kConnect.size()));
    }
    return true;
  });
  // A cluster dump holds many databases: no single name to report.
  if (h.cluster_dump)
    h.database.clear();
  else if (h.database.empty())
    h.database = connect_db;

  h.complete =
      ends_with_marker(tail, h.cluster_dump ? "-- PostgreSQL database cluster dump complete"
                                            : "-- PostgreSQL database dump complete");
  return h;
}

} // namespace lastgood::pg
