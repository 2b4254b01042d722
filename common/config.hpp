#pragma once
// The configuration file (TOML). Layering: defaults < file < LASTGOOD_* env < flags;
// this reads the defaults, the file and the environment (LASTGOOD_VERIFY_SCRATCH,
// LASTGOOD_VERIFY_RUN_AS); commands apply their flags last. Path: --config, else $LASTGOOD_CONFIG, else
// $XDG_CONFIG_HOME/lastgood/config.toml (~/.config/...) when it exists.

#include <chrono>
#include <map>
#include <optional>
#include <string>
#include <vector>

namespace lastgood {

struct RepositoryConfig {
  std::string name;
  std::string url;
  std::string source;             // the server its backups come from; empty: the default source
  std::string database_from_name; // regex naming a dump's database from its key; empty: convention
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

// [retention], optionally narrowed by [retention.database.NAME] or
// [retention.cluster.SYSID] tables holding the same keys. An unset key keeps
// nothing by itself; a narrower table replaces only the keys it sets.
struct RetentionRules {
  std::optional<int> keep_last;
  std::optional<std::chrono::seconds> keep_within;
  std::optional<int> keep_daily;
  std::optional<int> keep_weekly;
  std::optional<int> keep_monthly;
  std::optional<int> keep_yearly;
  std::optional<std::chrono::seconds> pitr_window;
};

struct RetentionConfig {
  RetentionRules defaults;
  std::map<std::string, RetentionRules> per_database;  // key: database name
  std::map<std::string, RetentionRules> per_cluster;   // key: system identifier as text
};

// [compliance]: the targets the report measures against.
struct ComplianceConfig {
  std::chrono::seconds rpo{std::chrono::hours(24)};
  std::chrono::seconds verified_within{std::chrono::hours(24 * 7)};
  std::optional<std::chrono::seconds> rto;  // no restore-duration verdict when unset
};

// [notify]: where failures are announced. The URL is a secret (it usually
// carries a token) and is never logged.
struct NotifyConfig {
  std::string webhook;
};

// [[drill.command]]: extra commands the drill runs after the data checks,
// e.g. `redis-cli -u $REDIS_URL PING`; run through /bin/sh, pass on exit 0.
struct DrillCommand {
  std::string name;
  std::string run;
};

// [drill]: which database the drill proves, which tables must have rows
// after its test restore ("orders" or "schema.orders"), and what else it runs.
struct DrillConfig {
  std::string database;
  std::vector<std::string> tables;
  std::vector<DrillCommand> commands;
};

// [s3]: credentials when the AWS_* environment variables are not set
// (AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY, AWS_SESSION_TOKEN win).
struct S3Config {
  std::string access_key_id;
  std::string secret_access_key;
  std::string session_token;
  std::string region;
};

struct Config {
  std::string source;  // the file read, empty when none
  std::vector<RepositoryConfig> repositories;
  VerifyConfig verify;
  RetentionConfig retention;
  ComplianceConfig compliance;
  NotifyConfig notify;
  DrillConfig drill;
  S3Config s3;
};

std::string resolve_config_path(const std::string& flag_value);
// Missing default file: empty Config. Missing explicit file or bad TOML: UsageError.
Config load_config(const std::string& flag_value);

} // namespace lastgood
