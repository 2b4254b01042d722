#include "storage/ini_file.hpp"

#include "common/error.hpp"

#include <algorithm>
#include <fstream>
#include <ini.h>
#include <mutex>
#include <sstream>

namespace lastgood::storage {

namespace {

// Debian's inih reads its options from globals; set them once, before any parse.
void configure_inih()
{
  static std::once_flag once;
  std::call_once(once, [] {
    ini_allow_inline_comments = false; // configparser: "a;b" is a value, not a comment
    ini_allow_multiline = true;
    // Session tokens run to well over a thousand characters: a fixed line
    // buffer would cut them silently.
    ini_use_stack = false;
    ini_allow_realloc = true;
    ini_max_line = 1 << 20;
  });
}

int on_value(void* user, const char* section, const char* name, const char* value)
{
  auto& file = *static_cast<IniFile*>(user);
  std::string key(name);
  std::transform(key.begin(), key.end(), key.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  auto& target = file[section];
  // A continuation line arrives as the same name again: join like configparser.
  if (auto it = target.find(key); it != target.end() && !it->second.empty())
    it->second += "\n" + std::string(value);
  else
    target[key] = value;
  return 1;
}

} // namespace

IniFile parse_ini_text(const std::string& text, const std::string& name)
{
  configure_inih();
  IniFile file;
  const int result = ini_parse_string(text.c_str(), on_value, &file);
  if (result > 0)
    throw UsageError(name + ": line " + std::to_string(result) +
                     " is not a [section] or key = value line; fix the file (the AWS CLI reads "
                     "the same format)");
  if (result < 0) throw UsageError(name + ": out of memory while reading it");
  return file;
}

std::optional<IniFile> read_ini_file(const std::filesystem::path& path)
{
  std::error_code ec;
  if (!std::filesystem::exists(path, ec)) return std::nullopt;
  std::ifstream in(path, std::ios::binary);
  if (!in)
    throw UsageError("cannot read " + path.string() +
                     ": check its permissions (it must be readable by this user)");
  std::ostringstream text;
  text << in.rdbuf();
  return parse_ini_text(text.str(), path.string());
}

} // namespace lastgood::storage
