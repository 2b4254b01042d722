#pragma once
// The configuration file (TOML). Layering: defaults < file < LASTGOOD_SECTION_KEY env < flags,
// every key from the one table in common/config_keys.hpp; each value's origin is kept for
// `lastgood config`. Unknown sections and keys and values of the wrong type are usage errors
// (exit 2). Path: --config, else $LASTGOOD_CONFIG, else
// $XDG_CONFIG_HOME/lastgood/config.toml (~/.config/...) when it exists.

#include <chrono>
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

namespace lastgood {

struct RepositoryConfig
{
  std::string name;
  std::string url;
  std::string source;             // the server its backups come from; empty: the default source
  std::string database_from_name; // regex naming a dump's database from its key; empty: convention
  std::string cipher_pass_file;   // holds an encrypted pgBackRest repository's passphrase
};

// [[verify.check]]: run against a restored database; must return one row
// holding one boolean true.
struct UserCheck
{
  std::string database;
  std::string name;
  std::string sql;
};

struct VerifyConfig
{
  std::string scratch = "auto"; // or a connection string to a scratch server
  std::string run_as;           // OS user for scratch clusters when root (default postgres)
  std::chrono::seconds restore_every{std::chrono::hours(24)};
  std::chrono::seconds checksum_every{std::chrono::hours(24 * 7)};
  std::chrono::seconds sha256_every{std::chrono::hours(24 * 90)}; // SHA-256 re-read, per object
  double shrink_threshold = 0.5;           // share of rows a table may lose before data_shrink
  std::string shrink_severity = "warning"; // or "failure"
  bool amcheck_heapallindexed = false;     // slower, also proves every heap tuple is indexed
  // A verification's lease runs out this long after its holder last renewed it
  // (a third of it between renewals); then any host sharing the catalog takes it over.
  std::chrono::seconds lease_expiry{std::chrono::minutes(5)};
  unsigned max_concurrent_per_source = 0; // test restores per source server, fleet-wide; 0 = any
  std::vector<UserCheck> checks;
};

// [retention], optionally narrowed by [retention.database.NAME] or
// [retention.cluster.SYSID] tables holding the same keys. An unset key keeps
// nothing by itself; a narrower table replaces only the keys it sets.
struct RetentionRules
{
  std::optional<int> keep_last;
  std::optional<std::chrono::seconds> keep_within;
  std::optional<int> keep_daily;
  std::optional<int> keep_weekly;
  std::optional<int> keep_monthly;
  std::optional<int> keep_yearly;
  std::optional<std::chrono::seconds> pitr_window;
};

struct RetentionConfig
{
  RetentionRules defaults;
  std::map<std::string, RetentionRules> per_database; // key: database name
  std::map<std::string, RetentionRules> per_cluster;  // key: system identifier as text
};

// [compliance]: the targets the report measures against.
struct ComplianceConfig
{
  std::chrono::seconds rpo{std::chrono::hours(24)};
  std::chrono::seconds verified_within{std::chrono::hours(24 * 7)};
  std::optional<std::chrono::seconds> rto; // no restore-duration verdict when unset
};

// [notify]: where failures are announced. The URL is a secret (it usually
// carries a token) and is never logged.
// [[notify.email]], [[notify.slack]], [[notify.teams]]: one channel each.
// Every scope verdict and stage error is an event; a channel hears of an
// event at min_severity or worse once, again every repeat_every while it
// lasts (or when its severity changes), and once more when it is over.
struct NotifyChannel
{
  std::string name; // the channel's name in the catalog's record of what was sent
  std::string url;  // smtp://, smtps:// (email) or the incoming-webhook URL; secret (slack, teams)
  std::string from; // email
  std::vector<std::string> to;       // email
  std::string username;              // email: SMTP AUTH user, empty: no AUTH
  std::string password;              // email: secret
  std::string starttls = "required"; // email over smtp://: required | try | off
  std::string ca_file;               // email: CA certificates to trust (PEM), empty: the system's
  std::string min_severity = "warning"; // warning | critical
  std::chrono::seconds repeat_every{std::chrono::hours(24)};
};

struct NotifyConfig
{
  std::string webhook;
  std::vector<NotifyChannel> email;
  std::vector<NotifyChannel> slack;
  std::vector<NotifyChannel> teams;
};

// [[drill.command]]: extra commands the drill runs after the data checks,
// e.g. `redis-cli -u $REDIS_URL PING`; run through /bin/sh, pass on exit 0.
struct DrillCommand
{
  std::string name;
  std::string run;
};

// [drill]: which database the drill proves, which tables must have rows
// after its test restore ("orders" or "schema.orders"), and what else it runs.
// [[drill.redis]]: a Redis the application needs: PING, SET/GET/DEL of a
// temporary key, DBSIZE. The URL may carry a password: secret, shown redacted.
struct DrillRedis
{
  std::string name; // the step's name; empty: host:port
  std::string url;  // redis://[:password@]host:port[/db]
};

struct DrillConfig
{
  std::string database;
  std::vector<std::string> tables;
  std::vector<DrillCommand> commands;
  std::vector<DrillRedis> redis;
};

// [s3]: credentials when the AWS_* environment variables are not set
// (AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY, AWS_SESSION_TOKEN win).
struct S3Config
{
  std::string access_key_id;
  std::string secret_access_key;
  std::string session_token;
  std::string region;
  std::string profile; // in ~/.aws/credentials and ~/.aws/config; "" = AWS_PROFILE or default
  std::uint64_t read_part_size_mib = 8; // ranged GET size when reading objects
  unsigned read_concurrency = 4;        // ranged GETs in flight per object read
};

// [schedule]: how often the scheduler runs `lastgood run` (metrics export it so
// an alert can tell metrics that stopped being written).
struct ScheduleConfig
{
  std::chrono::seconds every{std::chrono::hours(24)};
};

// Where an effective value came from.
struct ConfigOrigin
{
  enum class Kind { Default, File, Env, Flag };
  Kind kind = Kind::Default;
  std::string where; // the file's path, the variable's name or the flag
  std::string
  text() const; // "default", "file /etc/lastgood.toml", "env LASTGOOD_X", "flag --scratch"
};

// One line of `lastgood config`.
struct ConfigEntry
{
  std::string key;   // "verify.restore_every", "repository[0].url"
  std::string value; // TOML spelling ("\"7d\"", "0.5"); empty when unset; secrets as "********"
  ConfigOrigin origin;
  bool secret = false;
};

// A command-line flag that sets a configuration key (the last layer).
struct ConfigFlag
{
  std::string key;   // "verify.scratch"
  std::string value; // as typed
  std::string flag;  // "--scratch"
};

struct Config
{
  std::string source; // the file read, empty when none
  std::vector<RepositoryConfig> repositories;
  VerifyConfig verify;
  RetentionConfig retention;
  ComplianceConfig compliance;
  NotifyConfig notify;
  DrillConfig drill;
  S3Config s3;
  ScheduleConfig schedule;
  std::vector<ConfigEntry> entries; // every key's effective value and origin, in table order
};

std::string resolve_config_path(const std::string& flag_value);
// Missing default file: defaults and environment only. Missing explicit file, bad TOML,
// an unknown section or key, or a value of the wrong type: UsageError naming the key.
Config load_config(const std::string& flag_value, const std::vector<ConfigFlag>& flags = {});

} // namespace lastgood
