#include "common/config.hpp"

#include <toml++/toml.h>

#include <cstdlib>
#include <filesystem>

#include "common/error.hpp"
#include "common/time.hpp"

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

namespace {

void read_verify(const toml::table& table, const std::string& source, VerifyConfig& verify)
{
  const auto* section = table["verify"].as_table();
  if (!section) return;
  auto where = [&](const char* key) { return "configuration file " + source + ": verify." + key; };
  if (auto v = (*section)["scratch"].value<std::string>()) verify.scratch = *v;
  if (auto v = (*section)["run_as"].value<std::string>()) verify.run_as = *v;
  try {
    if (auto v = (*section)["restore_every"].value<std::string>()) verify.restore_every = parse_duration(*v);
    if (auto v = (*section)["checksum_every"].value<std::string>()) verify.checksum_every = parse_duration(*v);
  } catch (const ValidationError& e) {
    throw UsageError("configuration file " + source + ": " + e.what());
  }
  if (auto v = (*section)["shrink_threshold"].value<double>()) {
    if (*v <= 0 || *v > 1) throw UsageError(where("shrink_threshold") + " must be between 0 and 1, e.g. 0.5");
    verify.shrink_threshold = *v;
  }
  if (auto v = (*section)["shrink_severity"].value<std::string>()) {
    if (*v != "warning" && *v != "failure")
      throw UsageError(where("shrink_severity") + " must be \"warning\" or \"failure\"");
    verify.shrink_severity = *v;
  }
  if (auto v = (*section)["amcheck_heapallindexed"].value<bool>()) verify.amcheck_heapallindexed = *v;
  if (const auto* checks = (*section)["check"].as_array()) {
    for (const auto& node : *checks) {
      const auto* check = node.as_table();
      auto database = check ? (*check)["database"].value<std::string>() : std::nullopt;
      auto name = check ? (*check)["name"].value<std::string>() : std::nullopt;
      auto sql = check ? (*check)["sql"].value<std::string>() : std::nullopt;
      if (!database || !name || !sql)
        throw UsageError("configuration file " + source + ": every [[verify.check]] needs database, name and sql");
      verify.checks.push_back({*database, *name, *sql});
    }
  }
}

void apply_environment(VerifyConfig& verify)
{
  if (const char* v = std::getenv("LASTGOOD_VERIFY_SCRATCH"); v && *v) verify.scratch = v;
  if (const char* v = std::getenv("LASTGOOD_VERIFY_RUN_AS"); v && *v) verify.run_as = v;
}

} // namespace

Config load_config(const std::string& flag_value)
{
  Config config;
  config.source = resolve_config_path(flag_value);
  apply_environment(config.verify);
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
  read_verify(table, config.source, config.verify);
  apply_environment(config.verify);
  return config;
}

} // namespace lastgood
