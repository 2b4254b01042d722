#include "formats/pgbackrest/json_fields.hpp"

#include "common/error.hpp"

namespace lastgood::formats::pgbackrest {
namespace {

[[noreturn]] void bad(std::string_view key, std::string_view expected, std::string_view what,
                      std::string_view where)
{
  throw ValidationError(std::string(what) + ": " + std::string(where) + ": '" + std::string(key) +
                        "' is missing or not " + std::string(expected));
}

const nlohmann::json* member(const nlohmann::json& object, std::string_view key)
{
  if (!object.is_object()) return nullptr;
  auto it = object.find(key);
  return it == object.end() ? nullptr : &*it;
}

} // namespace

nlohmann::json parse_value(std::string_view json)
{
  return nlohmann::json::parse(json);
}

nlohmann::json object_value(std::string_view json, std::string_view what, std::string_view where)
{
  auto value = nlohmann::json::parse(json, nullptr, false);
  if (!value.is_object())
    throw ValidationError(std::string(what) + ": " + std::string(where) +
                          ": value is not a JSON object");
  return value;
}

std::string string_field(const nlohmann::json& object, std::string_view key, std::string_view what,
                         std::string_view where)
{
  auto v = optional_string(object, key, what, where);
  if (!v) bad(key, "a string", what, where);
  return *v;
}

std::optional<std::string> optional_string(const nlohmann::json& object, std::string_view key,
                                           std::string_view what, std::string_view where)
{
  const auto* v = member(object, key);
  if (v == nullptr || v->is_null()) return std::nullopt;
  if (!v->is_string()) bad(key, "a string", what, where);
  return v->get<std::string>();
}

std::optional<std::uint64_t> optional_uint(const nlohmann::json& object, std::string_view key,
                                           std::string_view what, std::string_view where)
{
  const auto* v = member(object, key);
  if (v == nullptr || v->is_null()) return std::nullopt;
  if (!v->is_number_unsigned()) bad(key, "an unsigned number", what, where);
  return v->get<std::uint64_t>();
}

std::uint64_t uint_field(const nlohmann::json& object, std::string_view key, std::string_view what,
                         std::string_view where)
{
  auto v = optional_uint(object, key, what, where);
  if (!v) bad(key, "an unsigned number", what, where);
  return *v;
}

std::int64_t int_field(const nlohmann::json& object, std::string_view key, std::string_view what,
                       std::string_view where)
{
  const auto* v = member(object, key);
  if (v == nullptr || !v->is_number_integer()) bad(key, "an integer", what, where);
  if (v->is_number_unsigned() && v->get<std::uint64_t>() > static_cast<std::uint64_t>(INT64_MAX))
    bad(key, "an integer in range", what, where);
  return v->get<std::int64_t>();
}

bool bool_field(const nlohmann::json& object, std::string_view key, bool fallback,
                std::string_view what, std::string_view where)
{
  const auto* v = member(object, key);
  if (v == nullptr) return fallback;
  if (!v->is_boolean()) bad(key, "true or false", what, where);
  return v->get<bool>();
}

} // namespace lastgood::formats::pgbackrest
