#include "formats/pgbackrest/info_text.hpp"

#include "common/error.hpp"
#include "formats/pgbackrest/sha1.hpp"

#include <nlohmann/json.hpp>

namespace lastgood::formats::pgbackrest {
namespace {

constexpr std::string_view kBackrest = "backrest";
constexpr std::string_view kChecksumKey = "backrest-checksum";

// pgBackRest's JSON string escaping (common/type/json.c): only these
// characters are escaped; other control characters pass through as they are.
std::string json_quote(std::string_view s)
{
  std::string out = "\"";
  for (char c : s) {
    switch (c) {
    case '"':
      out += "\\\"";
      break;
    case '\\':
      out += "\\\\";
      break;
    case '\n':
      out += "\\n";
      break;
    case '\r':
      out += "\\r";
      break;
    case '\t':
      out += "\\t";
      break;
    case '\b':
      out += "\\b";
      break;
    case '\f':
      out += "\\f";
      break;
    default:
      out += c;
    }
  }
  return out + "\"";
}

std::string line_error(std::string_view what, std::size_t line, std::string_view problem)
{
  return std::string(what) + ": line " + std::to_string(line) + ": " + std::string(problem) +
         " (the file is damaged or not a pgBackRest info file)";
}

} // namespace

const std::string* InfoText::find(std::string_view section_name, std::string_view key) const
{
  for (const auto& v : values)
    if (v.section == section_name && v.key == key) return &v.json;
  return nullptr;
}

std::vector<const InfoValue*> InfoText::section(std::string_view section_name) const
{
  std::vector<const InfoValue*> out;
  for (const auto& v : values)
    if (v.section == section_name) out.push_back(&v);
  return out;
}

std::string info_checksum(const std::vector<InfoValue>& values)
{
  Sha1 hash;
  hash.update("{");
  const std::string* last_section = nullptr;
  for (const auto& v : values) {
    if (last_section == nullptr || *last_section != v.section) {
      if (last_section != nullptr) hash.update("},");
      hash.update(json_quote(v.section));
      hash.update(":{");
      last_section = &v.section;
    } else {
      hash.update(",");
    }
    hash.update(json_quote(v.key));
    hash.update(":");
    hash.update(v.json);
  }
  hash.update("}}");
  return hash.hex_digest();
}

InfoText parse_info_text(std::string_view text, std::string_view what)
{
  InfoText info;
  std::string section;
  std::optional<std::string> format;
  std::size_t line_no = 0;
  std::size_t pos = 0;
  while (pos < text.size()) {
    std::size_t end = text.find('\n', pos);
    if (end == std::string_view::npos) end = text.size();
    std::string_view line = text.substr(pos, end - pos);
    pos = end + 1;
    ++line_no;
    if (line.empty()) continue;
    if (line.front() == '[' && line.back() == ']') {
      section = std::string(line.substr(1, line.size() - 2));
      if (section.empty()) throw ValidationError(line_error(what, line_no, "empty section name"));
      continue;
    }
    if (section.empty())
      throw ValidationError(line_error(what, line_no, "key/value outside of a section"));
    // The key may itself hold '=': split at the first '=' after which the rest is JSON.
    std::size_t eq = line.find('=');
    if (eq == std::string_view::npos)
      throw ValidationError(line_error(what, line_no, "missing '='"));
    while (!nlohmann::json::accept(line.substr(eq + 1))) {
      eq = line.find('=', eq + 1);
      if (eq == std::string_view::npos)
        throw ValidationError(line_error(what, line_no, "value is not valid JSON"));
    }
    if (eq == 0) throw ValidationError(line_error(what, line_no, "empty key"));
    InfoValue value{section, std::string(line.substr(0, eq)), std::string(line.substr(eq + 1))};
    if (value.section == kBackrest && value.key == kChecksumKey) {
      auto parsed = nlohmann::json::parse(value.json);
      if (!parsed.is_string())
        throw ValidationError(line_error(what, line_no, "backrest-checksum is not a string"));
      info.checksum = parsed.get<std::string>();
      continue; // the checksum does not cover itself
    }
    if (value.section == kBackrest && value.key == "backrest-format") format = value.json;
    if (value.section == kBackrest && value.key == "backrest-version") {
      auto parsed = nlohmann::json::parse(value.json);
      if (parsed.is_string()) info.backrest_version = parsed.get<std::string>();
    }
    if (value.section == "cipher" && value.key == "cipher-pass") {
      auto parsed = nlohmann::json::parse(value.json);
      if (!parsed.is_string())
        throw ValidationError(line_error(what, line_no, "cipher-pass is not a string"));
      info.cipher_pass = parsed.get<std::string>();
    }
    info.values.push_back(std::move(value));
  }
  if (!format)
    throw ValidationError(
        std::string(what) +
        ": no [backrest] backrest-format (not a pgBackRest info file, or damaged)");
  if (*format != std::to_string(kRepositoryFormat))
    throw ValidationError(std::string(what) + ": repository format " + *format +
                          " is not supported (lastgood reads pgBackRest repository format " +
                          std::to_string(kRepositoryFormat) + ", pgBackRest 2.x)");
  if (info.checksum.empty())
    throw ValidationError(std::string(what) +
                          ": no [backrest] backrest-checksum (the file is damaged)");
  const std::string actual = info_checksum(info.values);
  if (actual != info.checksum)
    throw ValidationError(std::string(what) + ": checksum mismatch: the file says " +
                          info.checksum + " but its contents hash to " + actual +
                          " (the file is damaged)");
  return info;
}

} // namespace lastgood::formats::pgbackrest
