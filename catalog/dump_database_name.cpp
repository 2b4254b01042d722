#include "catalog/dump_database_name.hpp"

#include "common/error.hpp"

#include <array>
#include <regex>

namespace lastgood::catalog {

namespace {

bool is_separator(char c)
{
  return c == '-' || c == '_' || c == '.' || c == ' ';
}

bool is_stamp_char(char c)
{
  return (c >= '0' && c <= '9') || c == 'T' || c == 'Z' || c == ':' || c == '+' || is_separator(c);
}

bool ends_with_ci(std::string_view s, std::string_view suffix)
{
  if (s.size() < suffix.size()) return false;
  for (std::size_t i = 0; i < suffix.size(); ++i) {
    char a = s[s.size() - suffix.size() + i];
    if (a >= 'A' && a <= 'Z') a = static_cast<char>(a - 'A' + 'a');
    if (a != suffix[i]) return false;
  }
  return true;
}

std::string_view strip_known_extensions(std::string_view name)
{
  static constexpr std::array<std::string_view, 21> kExtensions = {
      ".sql",   ".dump", ".tar",    ".dir", ".backup", ".bak",  ".pgdump",
      ".pgsql", ".psql", ".custom", ".fc",  ".gz",     ".gzip", ".zst",
      ".zstd",  ".lz4",  ".bz2",    ".xz",  ".tgz",    ".out",  ".pg"};
  for (bool stripped = true; stripped;) {
    stripped = false;
    for (auto ext : kExtensions)
      if (name.size() > ext.size() && ends_with_ci(name, ext)) {
        name.remove_suffix(ext.size());
        stripped = true;
      }
  }
  return name;
}

// The stamp run starting at `at` (a separator): does it look like a date/time?
bool is_stamp(std::string_view run)
{
  std::size_t i = 0;
  while (i < run.size() && is_separator(run[i]))
    ++i;
  std::size_t first_number = 0;
  while (i + first_number < run.size() && run[i + first_number] >= '0' &&
         run[i + first_number] <= '9')
    ++first_number;
  if (first_number < 2) return false;
  std::size_t digits = 0;
  for (char c : run) {
    if (!is_stamp_char(c)) return false;
    digits += (c >= '0' && c <= '9') ? 1 : 0;
  }
  return digits >= 6;
}

std::string_view strip_stamp(std::string_view stem)
{
  // The earliest separator that follows a non-separator and starts a stamp
  // run to the end: the longest stamp, so "shop_2026-11-03_0200" loses both.
  for (std::size_t at = 1; at < stem.size(); ++at) {
    if (!is_separator(stem[at]) || is_separator(stem[at - 1])) continue;
    if (is_stamp(stem.substr(at))) return stem.substr(0, at);
  }
  return stem;
}

std::string convention(std::string_view key)
{
  std::string_view name = key;
  while (!name.empty() && name.back() == '/')
    name.remove_suffix(1);
  if (auto slash = name.rfind('/'); slash != std::string_view::npos) name.remove_prefix(slash + 1);
  std::string_view stem = strip_stamp(strip_known_extensions(name));
  if (auto dot = stem.find('.'); dot != std::string_view::npos && dot > 0)
    stem = stem.substr(0, dot);
  return std::string(stem.empty() ? name : stem);
}

} // namespace

namespace {

std::regex compile(const std::string& pattern, const std::string& where)
{
  std::regex re;
  try {
    re = std::regex(pattern, std::regex::ECMAScript);
  } catch (const std::regex_error& e) {
    throw UsageError(where + " '" + pattern + "' is not a valid regular expression (" + e.what() +
                     ")");
  }
  if (re.mark_count() < 1)
    throw UsageError(where + " '" + pattern +
                     "' has no capture group: put the database name in parentheses, e.g. "
                     "'^([a-z_]+)-[0-9]{8}'");
  return re;
}

} // namespace

void check_database_from_name(const std::string& pattern, const std::string& where)
{
  compile(pattern, where);
}

std::string database_from_name(std::string_view key, const std::string& pattern)
{
  if (!pattern.empty()) {
    const std::regex re = compile(pattern, "database_from_name");
    std::match_results<std::string_view::const_iterator> m;
    if (std::regex_search(key.begin(), key.end(), m, re) && m[1].matched && m[1].length() > 0)
      return m[1].str();
  }
  return convention(key);
}

} // namespace lastgood::catalog
