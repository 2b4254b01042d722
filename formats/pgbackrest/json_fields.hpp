#pragma once
// Typed reads of pgBackRest's JSON values, each failure a ValidationError that
// names the file and the key (info files, manifests).

#include <cstdint>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace lastgood::formats::pgbackrest {

// Parses one stored value (already known to be valid JSON).
nlohmann::json parse_value(std::string_view json);

// Reads member `key` of object `object` (found at `where` in file `what`).
std::string string_field(const nlohmann::json& object, std::string_view key, std::string_view what,
                         std::string_view where);
std::optional<std::string> optional_string(const nlohmann::json& object, std::string_view key,
                                           std::string_view what, std::string_view where);
std::uint64_t uint_field(const nlohmann::json& object, std::string_view key, std::string_view what,
                         std::string_view where);
std::optional<std::uint64_t> optional_uint(const nlohmann::json& object, std::string_view key,
                                           std::string_view what, std::string_view where);
std::int64_t int_field(const nlohmann::json& object, std::string_view key, std::string_view what,
                       std::string_view where);
bool bool_field(const nlohmann::json& object, std::string_view key, bool fallback,
                std::string_view what, std::string_view where);

// A stored value that must be an object.
nlohmann::json object_value(std::string_view json, std::string_view what, std::string_view where);

} // namespace lastgood::formats::pgbackrest
