#pragma once
// The INI dialect of ~/.aws/credentials and ~/.aws/config, read with inih
// (Debian's libinih) set up like Python's configparser, which the AWS CLI
// uses: '#' and ';' start a comment only at the start of a line, key names
// are case-insensitive (kept in lower case), section names are not, and an
// indented line continues the value above (nested "s3 =" settings).

#include <filesystem>
#include <map>
#include <optional>
#include <string>

namespace lastgood::storage {

using IniSection = std::map<std::string, std::string>;
using IniFile = std::map<std::string, IniSection>;

// Throws UsageError naming the file and the first bad line number (never the
// line itself: it may hold a secret).
IniFile parse_ini_text(const std::string& text, const std::string& name);
// std::nullopt when the file does not exist; UsageError when it cannot be read.
std::optional<IniFile> read_ini_file(const std::filesystem::path& path);

} // namespace lastgood::storage
