#include "common/config.hpp"

#include "common/config_keys.hpp"
#include "common/config_value.hpp"
#include "common/error.hpp"
#include "common/nearest_name.hpp"

#include <cstdlib>
#include <filesystem>
#include <map>
#include <set>
#include <toml++/toml.h>

namespace lastgood {

std::string resolve_config_path(const std::string& flag_value)
{
  if (!flag_value.empty()) return flag_value;
  if (const char* env = std::getenv("LASTGOOD_CONFIG"); env && *env) return env;
  std::filesystem::path base;
  if (const char* xdg = std::getenv("XDG_CONFIG_HOME"); xdg && *xdg)
    base = xdg;
  else if (const char* home = std::getenv("HOME"); home && *home)
    base = std::filesystem::path(home) / ".config";
  else
    return {};
  auto path = base / "lastgood" / "config.toml";
  // A home this user may not look into (another user's, under sudo or setpriv) holds no config of
  // theirs.
  std::error_code ec;
  return std::filesystem::exists(path, ec) ? path.string() : std::string();
}

std::string ConfigOrigin::text() const
{
  switch (kind) {
  case Kind::Default:
    return "default";
  case Kind::File:
    return "file " + where;
  case Kind::Env:
    return "env " + where;
  case Kind::Flag:
    return "flag " + where;
  }
  return {};
}

namespace {

std::string join(const std::string& prefix, const std::string& name)
{
  return prefix.empty() ? name : prefix + "." + name;
}

std::string last_part(std::string_view path)
{
  return std::string(path.substr(path.find_last_of(".]") + 1));
}

std::string parent_of(std::string_view path)
{
  auto dot = path.find_last_of('.');
  return dot == std::string_view::npos ? std::string() : std::string(path.substr(0, dot));
}

// The section pattern a key belongs to: "repository" for "repository[].url",
// "retention.database" for "retention.database.<NAME>.keep_last".
std::string section_of(const std::string& key_path)
{
  if (auto bracket = key_path.find("[]"); bracket != std::string::npos)
    return key_path.substr(0, bracket);
  if (auto angle = key_path.find(".<"); angle != std::string::npos)
    return key_path.substr(0, angle);
  return parent_of(key_path);
}

bool is_fixed(const std::string& key_path)
{
  return key_path.find_first_of("[<") == std::string::npos;
}

// Reads the file, the environment and flags over the key table's defaults, remembering
// each value's origin and spelling for `lastgood config`.
class Layering
{
public:
  Config config;

  void set(const ConfigKey& key, const std::string& shown, const ConfigValue& value,
           const ConfigScope& scope, ConfigOrigin origin)
  {
    key.apply(config, value, scope);
    m_set[shown] = {value.display, std::move(origin)};
  }

  void read_file(const toml::table& root, const std::string& file)
  {
    m_file = file;
    walk(root, "", "", {});
    check_required();
  }

  std::vector<ConfigEntry> entries() const;

private:
  struct SetValue
  {
    std::string display;
    ConfigOrigin origin;
  };

  std::string where(const toml::node& node) const
  {
    return "configuration file " + m_file + " line " + std::to_string(node.source().begin.line);
  }

  void walk(const toml::table& table, const std::string& pattern_prefix,
            const std::string& shown_prefix, const ConfigScope& scope)
  {
    for (const auto& [name_key, node] : table) {
      const std::string name(name_key.str());
      const std::string pattern = join(pattern_prefix, name), shown = join(shown_prefix, name);
      if (const auto* section = find_config_section(pattern)) {
        walk_section(*section, node, shown);
      } else if (const auto* key = find_config_key(pattern)) {
        set(*key, shown, read_config_value(*key, node, shown, where(node)), scope,
            {ConfigOrigin::Kind::File, m_file});
      } else {
        throw UsageError(where(node) + ": " + unknown_message(pattern_prefix, shown, name, node));
      }
    }
  }

  void walk_section(const ConfigSection& section, const toml::node& node, const std::string& shown)
  {
    const std::string path(section.path);
    switch (section.kind) {
    case SectionKind::Table:
      if (!node.is_table())
        throw UsageError(where(node) + ": " + shown + " must be a section ([" + path + "]), got " +
                         describe_toml(node, false));
      walk(*node.as_table(), path, shown, {});
      return;
    case SectionKind::ArrayOfTables: {
      if (!node.is_array_of_tables())
        throw UsageError(where(node) + ": " + shown + " must be written as [[" + path +
                         "]] tables, got " + describe_toml(node, false));
      const auto& items = *node.as_array();
      for (std::size_t i = 0; i < items.size(); ++i)
        walk(*items[i].as_table(), path + "[]", shown + "[" + std::to_string(i) + "]", {i, ""});
      m_array_sizes[path] = items.size();
      return;
    }
    case SectionKind::NamedTables: {
      if (!node.is_table())
        throw UsageError(where(node) + ": " + shown + " must hold sections like [" + path + "." +
                         std::string(section.placeholder) + "], got " + describe_toml(node, false));
      for (const auto& [item_key, item] : *node.as_table()) {
        const std::string item_name(item_key.str());
        if (!item.is_table())
          throw UsageError(where(item) + ": " + shown + "." + item_name + " must be a section ([" +
                           path + "." + item_name + "]), got " + describe_toml(item, false));
        walk(*item.as_table(), path + "." + std::string(section.placeholder),
             shown + "." + item_name, {0, item_name});
        m_names[path].insert(item_name);
      }
      return;
    }
    }
  }

  // "unknown key verify.restor_every; did you mean restore_every?"
  static std::string unknown_message(const std::string& pattern_prefix, const std::string& shown,
                                     const std::string& name, const toml::node& node)
  {
    const bool looks_like_section = node.is_table() || node.is_array_of_tables();
    std::string message =
        looks_like_section ? "unknown section [" + shown + "]" : "unknown key " + shown;
    std::vector<std::string> siblings, sections;
    for (const auto& s : config_sections())
      if (parent_of(s.path) == pattern_prefix) sections.push_back(last_part(s.path));
    for (const auto& k : config_keys())
      if (parent_of(k.path) == pattern_prefix) siblings.push_back(last_part(k.path));
    if (auto near = nearest_name(name, siblings)) return message + "; did you mean " + *near + "?";
    if (auto near = nearest_name(name, sections))
      return message + "; did you mean [" + join(pattern_prefix, *near) + "]?";
    siblings.insert(siblings.end(), sections.begin(), sections.end());
    // A known key in the wrong section ("keep_last" under [verify]).
    for (const auto& k : config_keys())
      if (last_part(k.path) == name && is_fixed(k.path))
        return message + "; did you mean " + k.path + " (in [" + parent_of(k.path) + "])?";
    std::string known;
    for (const auto& s : siblings)
      known += (known.empty() ? "" : ", ") + s;
    return message + (pattern_prefix.empty() ? "; the sections are: " : "; known keys here: ") +
           known + " (`lastgood config --docs` lists every key)";
  }

  void check_required() const
  {
    for (const auto& [section, size] : m_array_sizes) {
      std::vector<const ConfigKey*> needed;
      std::string names;
      for (const auto& k : config_keys()) {
        if (!k.required || section_of(k.path) != section || k.path.find("[]") == std::string::npos)
          continue;
        needed.push_back(&k);
        names += (names.empty() ? "" : ", ") + last_part(k.path);
      }
      for (std::size_t i = 0; i < size; ++i)
        for (const auto* k : needed) {
          const std::string shown = section + "[" + std::to_string(i) + "]." + last_part(k->path);
          if (!m_set.count(shown))
            throw UsageError("configuration file " + m_file + ": " + section + "[" +
                             std::to_string(i) + "] has no " + last_part(k->path) + "; every [[" +
                             section + "]] needs " + names);
        }
    }
  }

  ConfigEntry entry(const ConfigKey& key, const std::string& shown) const
  {
    ConfigEntry e;
    e.key = shown;
    e.secret = key.secret;
    if (auto found = m_set.find(shown); found != m_set.end()) {
      e.value = found->second.display;
      e.origin = found->second.origin;
    } else {
      e.value = key.default_value;
    }
    if (key.secret && !e.value.empty() && e.value != "\"\"") e.value = "********";
    return e;
  }

  std::string m_file;
  std::map<std::string, SetValue> m_set; // by the key as shown: "repository[0].url"
  std::map<std::string, std::size_t> m_array_sizes;
  std::map<std::string, std::set<std::string>> m_names;
};

std::vector<ConfigEntry> Layering::entries() const
{
  std::vector<ConfigEntry> out;
  std::set<std::string> listed_sections;
  const auto& keys = config_keys();
  for (const auto& key : keys) {
    if (is_fixed(key.path)) {
      out.push_back(entry(key, key.path));
      continue;
    }
    const std::string section = section_of(key.path);
    if (!listed_sections.insert(section).second) continue;
    // All keys of one [[item]] or [section.NAME] together, item after item.
    if (key.path.find("[]") != std::string::npos) {
      auto size = m_array_sizes.count(section) ? m_array_sizes.at(section) : 0;
      for (std::size_t i = 0; i < size; ++i)
        for (const auto& k : keys)
          if (section_of(k.path) == section && k.path.find("[]") != std::string::npos)
            out.push_back(entry(k, section + "[" + std::to_string(i) + "]." + last_part(k.path)));
    } else if (m_names.count(section)) {
      for (const auto& name : m_names.at(section))
        for (const auto& k : keys)
          if (section_of(k.path) == section && !is_fixed(k.path)) {
            const std::string shown = section + "." + name + "." + last_part(k.path);
            if (m_set.count(shown)) out.push_back(entry(k, shown));
          }
    }
  }
  return out;
}

toml::table parse_file(const std::string& path)
{
  try {
    return toml::parse_file(path);
  } catch (const toml::parse_error& e) {
    throw UsageError("configuration file " + path + " line " +
                     std::to_string(e.source().begin.line) + ": " + std::string(e.description()));
  }
}

} // namespace

Config load_config(const std::string& flag_value, const std::vector<ConfigFlag>& flags)
{
  Layering layers;
  for (const auto& key : config_keys())
    if (is_fixed(key.path) && !key.default_value.empty())
      layers.set(key, key.path, read_config_default(key), {}, {ConfigOrigin::Kind::Default, ""});

  layers.config.source = resolve_config_path(flag_value);
  if (!layers.config.source.empty()) {
    std::error_code ec;
    if (!std::filesystem::exists(layers.config.source, ec))
      throw UsageError(
          "configuration file " + layers.config.source +
          (ec ? " cannot be reached: " + ec.message() : std::string(" does not exist")));
    layers.read_file(parse_file(layers.config.source), layers.config.source);
  }

  for (const auto& key : config_keys()) {
    if (key.env.empty()) continue;
    const char* text = std::getenv(key.env.c_str());
    if (!text || !*text) continue;
    auto value = read_config_text(key, text, key.path, "environment variable " + key.env);
    layers.set(key, key.path, value, {}, {ConfigOrigin::Kind::Env, key.env});
  }

  for (const auto& flag : flags) {
    const auto* key = find_config_key(flag.key);
    if (!key || !is_fixed(key->path))
      throw UsageError(flag.flag + " sets " + flag.key + ", which is not a configuration key");
    auto value = read_config_text(*key, flag.value, key->path, "option " + flag.flag);
    layers.set(*key, key->path, value, {}, {ConfigOrigin::Kind::Flag, flag.flag});
  }

  layers.config.entries = layers.entries();
  return std::move(layers.config);
}

} // namespace lastgood
