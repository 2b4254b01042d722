#include "formats/pgbackrest/backup_info.hpp"

#include "common/error.hpp"
#include "formats/pgbackrest/json_fields.hpp"

#include <algorithm>

namespace lastgood::formats::pgbackrest {

std::string_view to_string(BackupType type)
{
  switch (type) {
  case BackupType::full:
    return "full";
  case BackupType::diff:
    return "diff";
  case BackupType::incr:
    return "incr";
  }
  return "full";
}

std::optional<BackupType> parse_backup_type(std::string_view text)
{
  if (text == "full") return BackupType::full;
  if (text == "diff") return BackupType::diff;
  if (text == "incr") return BackupType::incr;
  return std::nullopt;
}

const BackupInfoEntry* BackupInfo::find(std::string_view label) const
{
  for (const auto& b : backups)
    if (b.label == label) return &b;
  return nullptr;
}

namespace {

unsigned parse_id(std::string_view text, std::string_view what, std::string_view where)
{
  unsigned id = 0;
  if (text.empty() || text.size() > 9 ||
      !std::all_of(text.begin(), text.end(), [](char c) { return c >= '0' && c <= '9'; }))
    throw ValidationError(std::string(what) + ": " + std::string(where) + ": '" +
                          std::string(text) + "' is not a history id");
  for (char c : text)
    id = id * 10 + static_cast<unsigned>(c - '0');
  return id;
}

std::string stored_string(const InfoText& text, std::string_view section, std::string_view key,
                          std::string_view what)
{
  const std::string* raw = text.find(section, key);
  auto v = raw ? nlohmann::json::parse(*raw) : nlohmann::json();
  if (!v.is_string())
    throw ValidationError(std::string(what) + ": [" + std::string(section) + "] " +
                          std::string(key) + " is missing or not a string");
  return v.get<std::string>();
}

std::uint64_t stored_uint(const InfoText& text, std::string_view section, std::string_view key,
                          std::string_view what)
{
  const std::string* raw = text.find(section, key);
  auto v = raw ? nlohmann::json::parse(*raw) : nlohmann::json();
  if (!v.is_number_unsigned())
    throw ValidationError(std::string(what) + ": [" + std::string(section) + "] " +
                          std::string(key) + " is missing or not an unsigned number");
  return v.get<std::uint64_t>();
}

} // namespace

BackupInfo parse_backup_info(const InfoText& text, std::string_view what)
{
  BackupInfo info;
  info.backrest_version = text.backrest_version;
  info.cipher_pass = text.cipher_pass;
  info.current.id = static_cast<unsigned>(stored_uint(text, "db", "db-id", what));
  info.current.system_id = stored_uint(text, "db", "db-system-id", what);
  info.current.version = stored_string(text, "db", "db-version", what);
  info.current.catalog_version = stored_uint(text, "db", "db-catalog-version", what);
  info.current.control_version = stored_uint(text, "db", "db-control-version", what);

  for (const InfoValue* v : text.section("db:history")) {
    const std::string where = "[db:history] " + v->key;
    auto o = object_value(v->json, what, where);
    DbHistoryEntry e;
    e.id = parse_id(v->key, what, where);
    e.system_id = uint_field(o, "db-system-id", what, where);
    e.version = string_field(o, "db-version", what, where);
    e.catalog_version = uint_field(o, "db-catalog-version", what, where);
    e.control_version = uint_field(o, "db-control-version", what, where);
    info.history.push_back(std::move(e));
  }
  std::sort(info.history.begin(), info.history.end(),
            [](const auto& a, const auto& b) { return a.id < b.id; });

  for (const InfoValue* v : text.section("backup:current")) {
    const std::string where = "[backup:current] " + v->key;
    auto o = object_value(v->json, what, where);
    BackupInfoEntry b;
    b.label = v->key;
    const std::string type = string_field(o, "backup-type", what, where);
    auto parsed = parse_backup_type(type);
    if (!parsed)
      throw ValidationError(std::string(what) + ": " + where + ": unknown backup-type '" + type +
                            "'");
    b.type = *parsed;
    b.prior = optional_string(o, "backup-prior", what, where);
    if (auto it = o.find("backup-reference"); it != o.end()) {
      if (!it->is_array())
        throw ValidationError(std::string(what) + ": " + where +
                              ": backup-reference is not a list");
      for (const auto& r : *it) {
        if (!r.is_string())
          throw ValidationError(std::string(what) + ": " + where +
                                ": backup-reference holds a non-string");
        b.references.push_back(r.get<std::string>());
      }
    }
    b.archive_start = optional_string(o, "backup-archive-start", what, where).value_or("");
    b.archive_stop = optional_string(o, "backup-archive-stop", what, where).value_or("");
    b.lsn_start = optional_string(o, "backup-lsn-start", what, where).value_or("");
    b.lsn_stop = optional_string(o, "backup-lsn-stop", what, where).value_or("");
    b.timestamp_start = int_field(o, "backup-timestamp-start", what, where);
    b.timestamp_stop = int_field(o, "backup-timestamp-stop", what, where);
    b.size = uint_field(o, "backup-info-size", what, where);
    b.size_delta = uint_field(o, "backup-info-size-delta", what, where);
    b.repo_size = uint_field(o, "backup-info-repo-size", what, where);
    b.repo_size_delta = uint_field(o, "backup-info-repo-size-delta", what, where);
    b.db_id = static_cast<unsigned>(uint_field(o, "db-id", what, where));
    b.backrest_version = optional_string(o, "backrest-version", what, where).value_or("");
    b.error = bool_field(o, "backup-error", false, what, where);
    b.compress = bool_field(o, "option-compress", false, what, where);
    b.online = bool_field(o, "option-online", true, what, where);
    b.checksum_page = bool_field(o, "option-checksum-page", false, what, where);
    info.backups.push_back(std::move(b));
  }
  std::sort(info.backups.begin(), info.backups.end(),
            [](const auto& a, const auto& b) { return a.label < b.label; });
  return info;
}

} // namespace lastgood::formats::pgbackrest
