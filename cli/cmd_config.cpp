// config [--json] [--docs] [--example]: the effective configuration, each value with its origin.

#include "cli/context.hpp"
#include "common/config_keys.hpp"

#include <CLI/CLI.hpp>
#include <iostream>

namespace lastgood::cli {

namespace {

struct ConfigCliOptions
{
  bool json = false;
  bool docs = false;
  bool example = false;
};

const char* origin_kind(ConfigOrigin::Kind kind)
{
  switch (kind) {
  case ConfigOrigin::Kind::Default:
    return "default";
  case ConfigOrigin::Kind::File:
    return "file";
  case ConfigOrigin::Kind::Env:
    return "env";
  case ConfigOrigin::Kind::Flag:
    return "flag";
  }
  return "";
}

// Entry values are TOML spellings of strings, numbers, booleans and lists of strings: valid JSON
// too.
nlohmann::json value_json(const ConfigEntry& e)
{
  if (e.value.empty()) return nullptr;
  if (e.value == "********") return e.value;
  return nlohmann::json::parse(e.value, nullptr, false);
}

} // namespace

void register_config_command(CLI::App& app, Context& ctx)
{
  auto opts = std::make_shared<ConfigCliOptions>();
  auto* cmd =
      app.add_subcommand("config", "print the effective configuration, each value with its origin");
  cmd->add_flag("--json", opts->json, "print one JSON document");
  cmd->add_flag("--docs", opts->docs, "print the configuration reference (docs/configuration.md)");
  cmd->add_flag("--example", opts->example,
                "print a commented config.toml holding every key with its default");
  cmd->callback([&ctx, opts] {
    if (opts->example) {
      std::cout << configuration_example();
      return;
    }
    if (opts->docs) {
      std::cout << configuration_docs();
      return;
    }
    const auto& config = ctx.config();
    const auto catalog = ctx.catalog_location();
    if (opts->json) {
      nlohmann::json keys = nlohmann::json::array();
      for (const auto& e : config.entries)
        keys.push_back(
            {{"key", e.key},
             {"value", value_json(e)},
             {"origin", origin_kind(e.origin.kind)},
             {"from", e.origin.where.empty() ? nlohmann::json() : nlohmann::json(e.origin.where)},
             {"secret", e.secret}});
      print_json({{"config_file",
                   config.source.empty() ? nlohmann::json() : nlohmann::json(config.source)},
                  {"catalog", {{"path", catalog.shown()}, {"origin", catalog.chosen_by}}},
                  {"keys", keys}});
      return;
    }
    std::cout << "# configuration file: " << (config.source.empty() ? "none" : config.source)
              << '\n'
              << "# catalog: " << catalog.shown() << "  (" << catalog.chosen_by << ")\n";
    for (const auto& e : config.entries)
      std::cout << e.key << " = " << (e.value.empty() ? "(unset)" : e.value) << "  ("
                << e.origin.text() << ")\n";
  });
}

} // namespace lastgood::cli
