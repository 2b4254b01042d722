#include "formats/pgbackrest/archive_info.hpp"

#include "common/error.hpp"
#include "formats/pgbackrest/json_fields.hpp"

#include <algorithm>

namespace lastgood::formats::pgbackrest {
namespace {

nlohmann::json stored(const InfoText& text, std::string_view key, std::string_view what)
{
  const std::string* raw = text.find("db", key);
  if (raw == nullptr)
    throw ValidationError(std::string(what) + ": [db] " + std::string(key) + " is missing");
  return nlohmann::json::parse(*raw);
}

} // namespace

ArchiveInfo parse_archive_info(const InfoText& text, std::string_view what)
{
  ArchiveInfo info;
  info.backrest_version = text.backrest_version;
  info.cipher_pass = text.cipher_pass;
  nlohmann::json db = {{"db-id", stored(text, "db-id", what)},
                       {"db-system-id", stored(text, "db-system-id", what)},
                       {"db-version", stored(text, "db-version", what)}};
  info.current.id = static_cast<unsigned>(uint_field(db, "db-id", what, "[db]"));
  info.current.system_id = uint_field(db, "db-system-id", what, "[db]");
  info.current.version = string_field(db, "db-version", what, "[db]");
  for (const InfoValue* v : text.section("db:history")) {
    const std::string where = "[db:history] " + v->key;
    auto o = object_value(v->json, what, where);
    ArchiveHistoryEntry e;
    if (v->key.empty() || v->key.size() > 9 ||
        !std::all_of(v->key.begin(), v->key.end(), [](char c) { return c >= '0' && c <= '9'; }))
      throw ValidationError(std::string(what) + ": " + where + ": not a history id");
    e.id = static_cast<unsigned>(std::stoul(v->key));
    e.system_id = uint_field(o, "db-id", what, where);
    e.version = string_field(o, "db-version", what, where);
    info.history.push_back(std::move(e));
  }
  std::sort(info.history.begin(), info.history.end(),
            [](const auto& a, const auto& b) { return a.id < b.id; });
  return info;
}

} // namespace lastgood::formats::pgbackrest
