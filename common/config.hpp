#pragma once
// The configuration file (TOML). Layering: defaults < file < LASTGOOD_* env < flags;
// this reads the defaults, the file and the environment (LASTGOOD_VERIFY_SCRATCH,
// LASTGOOD_VERIFY_RUN_AS); commands apply their flags last. Path: --config, else $LASTGOOD_CONFIG, else
// $XDG_CONFIG_HOME/lastgood/config.toml (~/.config/...) when it exists.

#include <chrono>
#include <optional>
#include <string>
#include <vector>

namespace lastgood {

struct RepositoryConfig {
  std::string name;
  std::string url;
};

// [[verify.check]]: run against a restored database; must return one row
// holding one boolean true.
struct UserCheck {
  std::string database;
  std::string name;
  std::string sql;
};

struct VerifyConfig {
  std::string scratch = "auto";       // or a connection string to a scratch server
  std::string run_as;                 // OS user for scratch clusters when root (default postgres)
  std::chrono::seconds restore_every{std::chrono::hours(24)};
  std::chrono::seconds checksum_every{std::chrono::hours(24 * 7)};
  double shrink_threshold = 0.5;      // share of rows a table may lose before data_shrink
  std::string shrink_severity = "warning";  // or "failure"
  bool amcheck_heapallindexed = false;      // slower, also proves every heap tuple is indexed
  std::vector<UserCheck> checks;
};

struct Config {
  std::string source;  // the file read, empty when none
  std::vector<RepositoryConfig> repositories;
  VerifyConfig verify;
};

std::string resolve_config_path(const std::string& flag_value);
// Missing default file: empty Config. Missing explicit file or bad TOML: UsageError.
Config load_config(const std::string& flag_value);

} // namespace lastgood
