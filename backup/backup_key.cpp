#include "backup/backup_key.hpp"

#include <cctype>
#include <date/date.h>

namespace lastgood::backup {

namespace {

std::string portable(const std::string& text)
{
  std::string out;
  for (char c : text) {
    if (std::isalnum(static_cast<unsigned char>(c)) || c == '_')
      out.push_back(static_cast<char>(std::tolower(c)));
    else if (!out.empty() && out.back() != '-')
      out.push_back('-');
  }
  while (!out.empty() && out.back() == '-')
    out.pop_back();
  return out.substr(0, 48);
}

} // namespace

std::string backup_key(const std::string& database, TimePoint taken_at, const std::string& label,
                       bool zstd_compressed)
{
  const std::string db = portable(database).empty() ? "database" : portable(database);
  std::string key = db + "/" + db + "-" + date::format("%Y%m%dT%H%M%SZ", taken_at);
  if (!portable(label).empty()) key += "-" + portable(label);
  return key + (zstd_compressed ? ".dump.zst" : ".dump");
}

} // namespace lastgood::backup
