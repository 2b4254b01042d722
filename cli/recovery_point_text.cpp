#include "cli/recovery_point_text.hpp"

#include <algorithm>
#include <array>

namespace lastgood::cli {

namespace {

struct Field
{
  const char* key;
  const char* label;
};

// The keys verifier::recovery_point_from_log and the restores write.
constexpr std::array kKnownFields{
    Field{"stop", "stopped"},
    Field{"consistent_at", "consistent at"},
    Field{"redo_done", "redo done at"},
    Field{"last_transaction_time", "last transaction"},
    Field{"last_replayed_commit", "last replayed commit"},
    Field{"new_timeline", "new timeline"},
    Field{"wal_lsn_after_promotion", "WAL after promotion"},
};
// The started server, shown on lines of their own.
constexpr std::array kServerKeys{"port", "socket_dir", "log"};

std::string text_of(const nlohmann::json& value)
{
  return value.is_string() ? value.get<std::string>() : value.dump();
}

} // namespace

std::vector<std::pair<std::string, std::string>> recovery_point_fields(const nlohmann::json& point)
{
  std::vector<std::pair<std::string, std::string>> out;
  if (!point.is_object()) return out;
  for (const auto& field : kKnownFields) {
    if (!point.contains(field.key)) continue;
    std::string value = text_of(point[field.key]);
    // PostgreSQL's "recovery stopping before commit of transaction 735, time ...".
    if (std::string_view(field.key) == "stop" && value.starts_with("recovery stopping "))
      value.erase(0, std::string("recovery stopping ").size());
    out.emplace_back(field.label, value);
  }
  // Keys added later still show, readably named.
  for (const auto& item : point.items()) {
    // Not a structured binding: clang 14 cannot capture one in the lambda below.
    const std::string& key = item.key();
    const bool known = std::any_of(kKnownFields.begin(), kKnownFields.end(),
                                   [&](const Field& f) { return key == f.key; }) ||
                       std::find(kServerKeys.begin(), kServerKeys.end(), key) != kServerKeys.end();
    if (known) continue;
    std::string label = key;
    std::replace(label.begin(), label.end(), '_', ' ');
    out.emplace_back(label, text_of(item.value()));
  }
  return out;
}

std::string recovery_point_summary(const nlohmann::json& point)
{
  std::string out;
  for (const auto& [label, value] : recovery_point_fields(point))
    out += (out.empty() ? "" : ", ") + label + " " + value;
  return out;
}

} // namespace lastgood::cli
