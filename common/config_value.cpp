#include "common/config_value.hpp"

#include "common/error.hpp"
#include "common/time.hpp"

#include <charconv>
#include <cstdlib>
#include <limits>
#include <nlohmann/json.hpp>
#include <sstream>

namespace lastgood {

namespace {

std::string json_quoted(const std::string& text)
{
  return nlohmann::json(text).dump();
}

std::string number_text(double value)
{
  std::ostringstream out;
  out << value;
  return out.str();
}

[[noreturn]] void wrong_type(const ConfigKey& key, const toml::node& node, const std::string& shown,
                             const std::string& where)
{
  throw UsageError(where + ": " + shown + " must be " + expected_form(key) + ", got " +
                   describe_toml(node, key.secret));
}

} // namespace

std::string describe_toml(const toml::node& node, bool secret)
{
  if (const auto* s = node.as_string())
    return secret ? "a string" : "the string " + json_quoted(s->get());
  if (const auto* i = node.as_integer()) return "the number " + std::to_string(i->get());
  if (const auto* f = node.as_floating_point()) return "the number " + number_text(f->get());
  if (const auto* b = node.as_boolean())
    return std::string("the boolean ") + (b->get() ? "true" : "false");
  if (node.is_array()) return "a list";
  if (node.is_table()) return "a table";
  return "a date or time";
}

ConfigValue read_config_value(const ConfigKey& key, const toml::node& node,
                              const std::string& shown, const std::string& where)
{
  ConfigValue v;
  switch (key.type) {
  case KeyType::String:
  case KeyType::Choice:
  case KeyType::Duration: {
    const auto* s = node.as_string();
    if (!s) wrong_type(key, node, shown, where);
    v.text = s->get();
    v.display = json_quoted(v.text);
    if (key.type == KeyType::Choice) {
      bool known = false;
      for (const auto& c : key.choices)
        known = known || c == v.text;
      if (!known) wrong_type(key, node, shown, where);
    }
    if (key.type == KeyType::Duration) {
      try {
        v.duration = parse_duration(v.text);
      } catch (const ValidationError&) {
        wrong_type(key, node, shown, where);
      }
    }
    break;
  }
  case KeyType::Count: {
    const auto* i = node.as_integer();
    if (!i || i->get() < 0 || i->get() > std::numeric_limits<int>::max())
      wrong_type(key, node, shown, where);
    v.count = i->get();
    v.display = std::to_string(v.count);
    break;
  }
  case KeyType::Boolean: {
    const auto* b = node.as_boolean();
    if (!b) wrong_type(key, node, shown, where);
    v.boolean = b->get();
    v.display = v.boolean ? "true" : "false";
    break;
  }
  case KeyType::Real: {
    if (const auto* f = node.as_floating_point())
      v.real = f->get();
    else if (const auto* i = node.as_integer())
      v.real = static_cast<double>(i->get());
    else
      wrong_type(key, node, shown, where);
    v.display = number_text(v.real);
    break;
  }
  case KeyType::StringList: {
    const auto* list = node.as_array();
    if (!list) wrong_type(key, node, shown, where);
    v.display = "[";
    for (const auto& element : *list) {
      const auto* s = element.as_string();
      if (!s || s->get().empty())
        throw UsageError(where + ": " + shown + " must be " + expected_form(key) +
                         ", but it holds " + describe_toml(element, key.secret));
      v.display += (v.list.empty() ? "" : ", ") + json_quoted(s->get());
      v.list.push_back(s->get());
    }
    v.display += "]";
    break;
  }
  }
  if (key.check) {
    if (auto problem = key.check(v))
      throw UsageError(where + ": " + shown + " " + *problem + ", got " +
                       describe_toml(node, key.secret));
  }
  return v;
}

ConfigValue read_config_text(const ConfigKey& key, std::string_view text, const std::string& shown,
                             const std::string& where)
{
  const std::string value(text);
  switch (key.type) {
  case KeyType::Count: {
    std::int64_t n = 0;
    auto [end, ec] = std::from_chars(value.data(), value.data() + value.size(), n);
    if (ec == std::errc() && end == value.data() + value.size() && !value.empty())
      return read_config_value(key, toml::value<std::int64_t>(n), shown, where);
    break;
  }
  case KeyType::Real: {
    char* end = nullptr;
    double d = std::strtod(value.c_str(), &end);
    if (!value.empty() && end == value.c_str() + value.size())
      return read_config_value(key, toml::value<double>(d), shown, where);
    break;
  }
  case KeyType::Boolean:
    if (value == "true" || value == "false")
      return read_config_value(key, toml::value<bool>(value == "true"), shown, where);
    break;
  case KeyType::StringList: {
    toml::array list;
    std::size_t start = 0;
    while (start <= value.size()) {
      auto comma = value.find(',', start);
      if (comma == std::string::npos) comma = value.size();
      list.push_back(value.substr(start, comma - start));
      start = comma + 1;
    }
    return read_config_value(key, list, shown, where);
  }
  default:
    break;
  }
  return read_config_value(key, toml::value<std::string>(value), shown, where);
}

ConfigValue read_config_default(const ConfigKey& key)
{
  auto table = toml::parse("value = " + key.default_value);
  return read_config_value(key, *table.get("value"), key.path, "default of " + key.path);
}

} // namespace lastgood
