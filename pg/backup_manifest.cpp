#include "pg/backup_manifest.hpp"

#include "common/error.hpp"
#include "common/sha256.hpp"

#include <array>
#include <cctype>
#include <nlohmann/json.hpp>
#include <unordered_set>

namespace lastgood::pg {
namespace {

// Ordered, so the key order PostgreSQL insists on can be checked.
using json = nlohmann::ordered_json;

[[noreturn]] void malformed(const std::string& what)
{
  throw ValidationError("backup_manifest is malformed: " + what);
}

struct ChecksumAlgorithm
{
  std::string_view name;
  std::size_t bytes;
};

// src/common/checksum_helper.c: names are matched case-insensitively.
constexpr std::array<ChecksumAlgorithm, 6> kAlgorithms{{
    {"NONE", 0},
    {"CRC32C", 4},
    {"SHA224", 28},
    {"SHA256", 32},
    {"SHA384", 48},
    {"SHA512", 64},
}};

bool iequals(std::string_view a, std::string_view b)
{
  if (a.size() != b.size()) return false;
  for (std::size_t i = 0; i < a.size(); ++i)
    if (std::toupper(static_cast<unsigned char>(a[i])) != b[i]) return false;
  return true;
}

int hex_value(char c)
{
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

// Decodes hex to bytes; nullopt if the text is not an even number of hex digits.
std::optional<std::string> decode_hex(std::string_view hex)
{
  if (hex.size() % 2 != 0) return std::nullopt;
  std::string out;
  out.reserve(hex.size() / 2);
  for (std::size_t i = 0; i < hex.size(); i += 2) {
    int hi = hex_value(hex[i]), lo = hex_value(hex[i + 1]);
    if (hi < 0 || lo < 0) return std::nullopt;
    out.push_back(static_cast<char>(hi * 16 + lo));
  }
  return out;
}

std::string lowercase(std::string_view text)
{
  std::string out(text);
  for (char& c : out)
    c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

const std::string& string_field(const json& object, const char* key, const std::string& where)
{
  auto it = object.find(key);
  if (it == object.end()) malformed(where + " has no \"" + key + "\"");
  if (!it->is_string()) malformed(where + ": \"" + key + "\" is not a string");
  return it->get_ref<const std::string&>();
}

std::uint64_t unsigned_field(const json& object, const char* key, const std::string& where)
{
  auto it = object.find(key);
  if (it == object.end()) malformed(where + " has no \"" + key + "\"");
  if (!it->is_number_unsigned())
    malformed(where + ": \"" + key + "\" is not a non-negative integer");
  return it->get<std::uint64_t>();
}

void reject_unknown_keys(const json& object, std::initializer_list<std::string_view> known,
                         const std::string& where)
{
  for (const auto& item : object.items()) {
    bool ok = false;
    for (auto k : known)
      ok = ok || item.key() == k;
    if (!ok) malformed(where + " has an unexpected field \"" + item.key() + "\"");
  }
}

ManifestFile parse_file(const json& entry, std::size_t index)
{
  std::string where = "Files[" + std::to_string(index) + "]";
  if (!entry.is_object()) malformed(where + " is not an object");
  reject_unknown_keys(
      entry, {"Path", "Encoded-Path", "Size", "Last-Modified", "Checksum-Algorithm", "Checksum"},
      where);

  ManifestFile file;
  bool has_path = entry.contains("Path"), has_encoded = entry.contains("Encoded-Path");
  if (has_path == has_encoded)
    malformed(where + " must have exactly one of \"Path\" and \"Encoded-Path\"");
  if (has_path) {
    file.path = string_field(entry, "Path", where);
  } else {
    auto decoded = decode_hex(string_field(entry, "Encoded-Path", where));
    if (!decoded) malformed(where + ": \"Encoded-Path\" is not valid hex");
    file.path = std::move(*decoded);
  }
  if (file.path.empty()) malformed(where + " has an empty path");
  where += " (\"" + file.path + "\")";

  file.size = unsigned_field(entry, "Size", where);
  if (entry.contains("Last-Modified")) // informational; PostgreSQL does not require it
    file.last_modified = string_field(entry, "Last-Modified", where);

  if (!entry.contains("Checksum-Algorithm")) {
    if (entry.contains("Checksum")) malformed(where + " has a Checksum but no Checksum-Algorithm");
    return file;
  }
  const std::string& name = string_field(entry, "Checksum-Algorithm", where);
  const ChecksumAlgorithm* algorithm = nullptr;
  for (const auto& candidate : kAlgorithms)
    if (iequals(name, candidate.name)) algorithm = &candidate;
  if (!algorithm) malformed(where + ": unknown Checksum-Algorithm \"" + name + "\"");
  if (algorithm->bytes == 0) {
    if (entry.contains("Checksum") && !string_field(entry, "Checksum", where).empty())
      malformed(where + " has a Checksum with Checksum-Algorithm NONE");
    return file;
  }
  const std::string& checksum = string_field(entry, "Checksum", where);
  if (!decode_hex(checksum) || checksum.size() != algorithm->bytes * 2)
    malformed(where + ": Checksum \"" + checksum + "\" is not " +
              std::to_string(algorithm->bytes * 2) + " hex digits as " +
              std::string(algorithm->name) + " needs");
  file.checksum_algorithm = algorithm->name;
  file.checksum = lowercase(checksum);
  return file;
}

ManifestWalRange parse_wal_range(const json& entry, std::size_t index)
{
  std::string where = "WAL-Ranges[" + std::to_string(index) + "]";
  if (!entry.is_object()) malformed(where + " is not an object");
  reject_unknown_keys(entry, {"Timeline", "Start-LSN", "End-LSN"}, where);
  ManifestWalRange range;
  std::uint64_t timeline = unsigned_field(entry, "Timeline", where);
  if (timeline == 0 || timeline > 0xFFFFFFFFu)
    malformed(where + ": Timeline " + std::to_string(timeline) + " is out of range");
  range.timeline = static_cast<std::uint32_t>(timeline);
  for (auto [key, target] : {std::pair{"Start-LSN", &range.start}, {"End-LSN", &range.end}}) {
    const std::string& text = string_field(entry, key, where);
    auto lsn = Lsn::try_parse(text);
    if (!lsn) malformed(where + ": " + key + " \"" + text + "\" is not an LSN like 0/2000028");
    *target = *lsn;
  }
  if (range.end < range.start) malformed(where + ": End-LSN is before Start-LSN");
  return range;
}

// verify_manifest_checksum (src/common/parse_manifest.c): SHA-256 over every
// byte up to and including the second-to-last newline; the last line holds the
// checksum and must itself end with a newline.
bool checksum_matches(std::string_view text, const std::string& expected)
{
  if (text.empty() || text.back() != '\n') malformed("the last line does not end with a newline");
  auto penultimate = text.rfind('\n', text.size() - 2);
  if (text.size() < 2 || penultimate == std::string_view::npos)
    malformed("it must have at least 2 lines");
  return Sha256::of(text.substr(0, penultimate + 1)) == expected;
}

} // namespace

BackupManifest parse_backup_manifest(std::string_view text)
{
  json doc;
  try {
    doc = json::parse(text.begin(), text.end());
  } catch (const json::exception& e) {
    malformed(std::string("not valid JSON: ") + e.what());
  }
  if (!doc.is_object()) malformed("the top level is not a JSON object");
  reject_unknown_keys(doc,
                      {"PostgreSQL-Backup-Manifest-Version", "System-Identifier", "Files",
                       "WAL-Ranges", "Manifest-Checksum"},
                      "the manifest");

  // parse_manifest.c: the version comes first and the checksum last.
  if (doc.empty() || doc.begin().key() != "PostgreSQL-Backup-Manifest-Version")
    malformed("the first field is not \"PostgreSQL-Backup-Manifest-Version\"");
  if ((--doc.end()).key() != "Manifest-Checksum")
    malformed("the last field is not \"Manifest-Checksum\"");

  BackupManifest manifest;
  std::uint64_t version = unsigned_field(doc, "PostgreSQL-Backup-Manifest-Version", "the manifest");
  if (version != 1 && version != 2)
    malformed("unsupported PostgreSQL-Backup-Manifest-Version " + std::to_string(version) +
              " (known: 1, 2)");
  manifest.version = static_cast<int>(version);
  if (manifest.version >= 2)
    manifest.system_identifier = unsigned_field(doc, "System-Identifier", "a version 2 manifest");
  else if (doc.contains("System-Identifier"))
    malformed("a version 1 manifest has a System-Identifier");

  auto files = doc.find("Files");
  if (files == doc.end() || !files->is_array()) malformed("\"Files\" is missing or not an array");
  manifest.files.reserve(files->size());
  std::unordered_set<std::string> seen;
  for (std::size_t i = 0; i < files->size(); ++i) {
    manifest.files.push_back(parse_file((*files)[i], i));
    if (!seen.insert(manifest.files.back().path).second)
      malformed("duplicate path \"" + manifest.files.back().path + "\" (Files[" +
                std::to_string(i) + "])");
  }

  auto ranges = doc.find("WAL-Ranges");
  if (ranges == doc.end() || !ranges->is_array())
    malformed("\"WAL-Ranges\" is missing or not an array");
  for (std::size_t i = 0; i < ranges->size(); ++i)
    manifest.wal_ranges.push_back(parse_wal_range((*ranges)[i], i));

  const std::string& checksum = string_field(doc, "Manifest-Checksum", "the manifest");
  if (checksum.size() != 64 || !decode_hex(checksum))
    malformed("Manifest-Checksum \"" + checksum + "\" is not 64 hex digits");
  manifest.manifest_checksum = lowercase(checksum);
  manifest.manifest_checksum_ok = checksum_matches(text, manifest.manifest_checksum);
  return manifest;
}

} // namespace lastgood::pg
