#include "common/config.hpp"

#include <toml++/toml.h>

#include <cstdlib>
#include <filesystem>

#include "common/error.hpp"

namespace lastgood {

std::string resolve_config_path(const std::string& flag_value)
{
  if (!flag_value.empty()) return flag_value;
  if (const char* env = std::getenv("LASTGOOD_CONFIG"); env && *env) return env;
  std::filesystem::path base;
  if (const char* xdg = std::getenv("XDG_CONFIG_HOME"); xdg && *xdg) base = xdg;
  else if (const char* home = std::getenv("HOME"); home && *home) base = std::filesystem::path(home) / ".config";
  else return {};
  auto path = base / "lastgood" / "config.toml";
  return std::filesystem::exists(path) ? path.string() : std::string();
}

Config load_config(const std::string& flag_value)
{
  Config config;
  config.source = resolve_config_path(flag_value);
  if (config.source.empty()) return config;
  if (!std::filesystem::exists(config.source))
    throw UsageError("configuration file " + config.source + " does not exist");
  toml::table table;
  try {
    table = toml::parse_file(config.source);
  } catch (const toml::parse_error& e) {
    const auto& where = e.source().begin;
    throw UsageError("configuration file " + config.source + " line " + std::to_string(where.line) + ": " +
                     std::string(e.description()));
  }
  if (auto* repos = table["repository"].as_array()) {
    for (const auto& node : *repos) {
      const auto* repo = node.as_table();
      auto name = repo ? (*repo)["name"].value<std::string>() : std::nullopt;
      auto url = repo ? (*repo)["url"].value<std::string>() : std::nullopt;
      if (!name || !url)
        throw UsageError("configuration file " + config.source + ": every [[repository]] needs name and url");
      config.repositories.push_back({*name, *url});
    }
  }
  return config;
}

} // namespace lastgood
