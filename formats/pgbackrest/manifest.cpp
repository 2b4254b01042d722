#include "formats/pgbackrest/manifest.hpp"

#include "common/error.hpp"
#include "formats/pgbackrest/json_fields.hpp"

#include <algorithm>

namespace lastgood::formats::pgbackrest {
namespace {

// The values of one section as one JSON object (keys are unique per section).
nlohmann::json section_object(const InfoText& text, std::string_view section)
{
  nlohmann::json o = nlohmann::json::object();
  for (const InfoValue* v : text.section(section))
    o[v->key] = nlohmann::json::parse(v->json);
  return o;
}

std::vector<std::string> split_references(const std::string& list)
{
  std::vector<std::string> out;
  std::size_t start = 0;
  while (start <= list.size() && !list.empty()) {
    std::size_t comma = list.find(',', start);
    if (comma == std::string::npos) comma = list.size();
    out.push_back(list.substr(start, comma - start));
    start = comma + 1;
  }
  return out;
}

std::vector<PageRange> page_errors(const nlohmann::json& file, std::string_view what,
                                   std::string_view where)
{
  std::vector<PageRange> out;
  auto it = file.find("checksum-page-error");
  if (it == file.end()) return out;
  auto bad = [&] {
    throw ValidationError(std::string(what) + ": " + std::string(where) +
                          ": checksum-page-error is not a list of pages and [first,last] ranges");
  };
  if (!it->is_array()) bad();
  for (const auto& e : *it) {
    if (e.is_number_unsigned()) {
      out.push_back({e.get<std::uint64_t>(), e.get<std::uint64_t>()});
    } else if (e.is_array() && e.size() == 2 && e[0].is_number_unsigned() &&
               e[1].is_number_unsigned()) {
      out.push_back({e[0].get<std::uint64_t>(), e[1].get<std::uint64_t>()});
    } else {
      bad();
    }
  }
  return out;
}

bool is_sha1(const std::string& s)
{
  return s.size() == 40 && std::all_of(s.begin(), s.end(), [](char c) {
           return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f');
         });
}

} // namespace

const ManifestFile* Manifest::find_file(std::string_view name) const
{
  auto it = std::lower_bound(files.begin(), files.end(), name,
                             [](const ManifestFile& f, std::string_view n) { return f.name < n; });
  return it != files.end() && it->name == name ? &*it : nullptr;
}

Manifest parse_manifest(const InfoText& text, std::string_view what)
{
  Manifest m;
  m.backrest_version = text.backrest_version;
  m.cipher_pass = text.cipher_pass;

  const auto backup = section_object(text, "backup");
  m.label = string_field(backup, "backup-label", what, "[backup]");
  const std::string type = string_field(backup, "backup-type", what, "[backup]");
  auto parsed_type = parse_backup_type(type);
  if (!parsed_type)
    throw ValidationError(std::string(what) + ": [backup] unknown backup-type '" + type + "'");
  m.type = *parsed_type;
  m.prior = optional_string(backup, "backup-prior", what, "[backup]");
  if (auto refs = optional_string(backup, "backup-reference", what, "[backup]"))
    m.references = split_references(*refs);
  m.archive_start = optional_string(backup, "backup-archive-start", what, "[backup]").value_or("");
  m.archive_stop = optional_string(backup, "backup-archive-stop", what, "[backup]").value_or("");
  m.lsn_start = optional_string(backup, "backup-lsn-start", what, "[backup]").value_or("");
  m.lsn_stop = optional_string(backup, "backup-lsn-stop", what, "[backup]").value_or("");
  m.timestamp_start = int_field(backup, "backup-timestamp-start", what, "[backup]");
  m.timestamp_stop = int_field(backup, "backup-timestamp-stop", what, "[backup]");
  if (backup.contains("backup-timestamp-copy-start"))
    m.timestamp_copy_start = int_field(backup, "backup-timestamp-copy-start", what, "[backup]");
  m.bundle = bool_field(backup, "backup-bundle", false, what, "[backup]");
  m.bundle_raw = bool_field(backup, "backup-bundle-raw", false, what, "[backup]");
  m.block_incremental = bool_field(backup, "backup-block-incr", false, what, "[backup]");
  if (m.type != BackupType::full && !m.prior)
    throw ValidationError(std::string(what) + ": [backup] a " + type +
                          " backup without backup-prior");

  const auto options = section_object(text, "backup:option");
  const std::string compress =
      optional_string(options, "option-compress-type", what, "[backup:option]")
          .value_or(bool_field(options, "option-compress", false, what, "[backup:option]")
                        ? "gz"
                        : "none");
  auto parsed_compress = parse_compress_type(compress);
  if (!parsed_compress)
    throw ValidationError(std::string(what) + ": [backup:option] unknown option-compress-type '" +
                          compress + "'");
  m.compress_type = *parsed_compress;
  m.online = bool_field(options, "option-online", true, what, "[backup:option]");
  m.checksum_page = bool_field(options, "option-checksum-page", false, what, "[backup:option]");
  m.archive_check = bool_field(options, "option-archive-check", false, what, "[backup:option]");

  const auto db = section_object(text, "backup:db");
  m.db_id = static_cast<unsigned>(uint_field(db, "db-id", what, "[backup:db]"));
  m.system_id = uint_field(db, "db-system-id", what, "[backup:db]");
  m.pg_version = string_field(db, "db-version", what, "[backup:db]");
  m.catalog_version = uint_field(db, "db-catalog-version", what, "[backup:db]");
  m.control_version = uint_field(db, "db-control-version", what, "[backup:db]");

  for (const InfoValue* v : text.section("backup:target")) {
    const std::string where = "[backup:target] " + v->key;
    auto o = object_value(v->json, what, where);
    ManifestTarget t;
    t.name = v->key;
    t.type = string_field(o, "type", what, where);
    t.path = string_field(o, "path", what, where);
    t.file = optional_string(o, "file", what, where);
    t.tablespace_id = optional_string(o, "tablespace-id", what, where);
    t.tablespace_name = optional_string(o, "tablespace-name", what, where);
    if (t.type != "path" && t.type != "link")
      throw ValidationError(std::string(what) + ": " + where + ": unknown target type '" + t.type +
                            "'");
    m.targets.push_back(std::move(t));
  }
  if (std::none_of(m.targets.begin(), m.targets.end(),
                   [](const auto& t) { return t.name == "pg_data"; }))
    throw ValidationError(std::string(what) + ": [backup:target] has no pg_data target");

  const auto path_default = section_object(text, "target:path:default");
  for (const InfoValue* v : text.section("target:path")) {
    const std::string where = "[target:path] " + v->key;
    auto o = object_value(v->json, what, where);
    m.paths.push_back(
        {v->key,
         optional_string(o, "mode", what, where)
             .value_or(optional_string(path_default, "mode", what, where).value_or("0700"))});
  }
  for (const InfoValue* v : text.section("target:link")) {
    const std::string where = "[target:link] " + v->key;
    auto o = object_value(v->json, what, where);
    m.links.push_back({v->key, string_field(o, "destination", what, where)});
  }

  const auto file_default = section_object(text, "target:file:default");
  const std::string default_mode =
      optional_string(file_default, "mode", what, "[target:file:default]").value_or("0600");
  for (const InfoValue* v : text.section("target:file")) {
    const std::string where = "[target:file] " + v->key;
    auto o = object_value(v->json, what, where);
    ManifestFile f;
    f.name = v->key;
    f.size = uint_field(o, "size", what, where);
    f.checksum = optional_string(o, "checksum", what, where);
    if (f.checksum && !is_sha1(*f.checksum))
      throw ValidationError(std::string(what) + ": " + where + ": checksum is not a SHA-1");
    if (!f.checksum && f.size > 0)
      throw ValidationError(std::string(what) + ": " + where +
                            ": a non-empty file without checksum");
    f.repo_checksum = optional_string(o, "rck", what, where);
    f.repo_size = optional_uint(o, "repo-size", what, where).value_or(f.size);
    f.reference = optional_string(o, "reference", what, where);
    f.bundle_id = optional_uint(o, "bni", what, where);
    f.bundle_offset = optional_uint(o, "bno", what, where).value_or(0);
    if (o.contains("checksum-page"))
      f.checksum_page = bool_field(o, "checksum-page", true, what, where);
    f.page_errors = page_errors(o, what, where);
    if (o.contains("timestamp")) f.timestamp = int_field(o, "timestamp", what, where);
    f.mode = optional_string(o, "mode", what, where).value_or(default_mode);
    f.block_incremental = o.contains("bims") || o.contains("bim") || o.contains("bi");
    if (f.reference &&
        std::find(m.references.begin(), m.references.end(), *f.reference) == m.references.end() &&
        !m.references.empty())
      throw ValidationError(std::string(what) + ": " + where + ": references backup " +
                            *f.reference + ", which is not in backup-reference");
    m.files.push_back(std::move(f));
  }
  std::sort(m.files.begin(), m.files.end(),
            [](const auto& a, const auto& b) { return a.name < b.name; });
  return m;
}

} // namespace lastgood::formats::pgbackrest
