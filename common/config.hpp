#pragma once
// The configuration file (TOML). Layering: defaults < file < LASTGOOD_* env < flags;
// this reads the file layer. Path: --config, else $LASTGOOD_CONFIG, else
// $XDG_CONFIG_HOME/lastgood/config.toml (~/.config/...) when it exists.

#include <optional>
#include <string>
#include <vector>

namespace lastgood {

struct RepositoryConfig {
  std::string name;
  std::string url;
};

struct Config {
  std::string source;  // the file read, empty when none
  std::vector<RepositoryConfig> repositories;
};

std::string resolve_config_path(const std::string& flag_value);
// Missing default file: empty Config. Missing explicit file or bad TOML: UsageError.
Config load_config(const std::string& flag_value);

} // namespace lastgood
