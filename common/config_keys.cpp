#include "common/config_keys.hpp"

#include <regex>

namespace lastgood {

namespace {

using Apply = std::function<void(Config&, const ConfigValue&, const ConfigScope&)>;

ConfigKey key(std::string path, KeyType type, std::string default_value, std::string env,
              std::string help, Apply apply)
{
  ConfigKey k;
  k.path = std::move(path);
  k.type = type;
  k.default_value = std::move(default_value);
  k.env = std::move(env);
  k.help = std::move(help);
  k.apply = std::move(apply);
  return k;
}

ConfigKey secret(ConfigKey k)
{
  k.secret = true;
  return k;
}

ConfigKey required(ConfigKey k)
{
  k.required = true;
  return k;
}

template <typename T> T& item(std::vector<T>& items, std::size_t index)
{
  if (items.size() <= index) items.resize(index + 1);
  return items[index];
}

std::optional<std::string> one_capture_group(const ConfigValue& v)
{
  if (v.text.empty()) return std::nullopt;
  try {
    if (std::regex(v.text).mark_count() == 1) return std::nullopt;
  } catch (const std::regex_error&) {
  }
  return "must be a regular expression with exactly one capture group (the database name), e.g. "
         "\"^(.+?)[-_][0-9]{8}\"";
}

// The same rules apply to [retention], [retention.database.NAME] and [retention.cluster.SYSID].
void add_retention_keys(std::vector<ConfigKey>& keys, const std::string& prefix, bool with_env,
                        RetentionRules& (*rules)(Config&, const ConfigScope&))
{
  auto env = [&](const char* name) {
    return with_env ? std::string("LASTGOOD_RETENTION_") + name : std::string();
  };
  auto count = [&](const char* name, const char* env_name, const char* help,
                   std::optional<int> RetentionRules::*field) {
    keys.push_back(key(prefix + name, KeyType::Count, "", env(env_name), help,
                       [rules, field](Config& c, const ConfigValue& v, const ConfigScope& s) {
                         rules(c, s).*field = static_cast<int>(v.count);
                       }));
  };
  auto duration = [&](const char* name, const char* env_name, const char* help,
                      std::optional<std::chrono::seconds> RetentionRules::*field) {
    keys.push_back(key(prefix + name, KeyType::Duration, "", env(env_name), help,
                       [rules, field](Config& c, const ConfigValue& v, const ConfigScope& s) {
                         rules(c, s).*field = v.duration;
                       }));
  };
  count("keep_last", "KEEP_LAST", "keep the newest N backups", &RetentionRules::keep_last);
  duration("keep_within", "KEEP_WITHIN", "keep every backup younger than this",
           &RetentionRules::keep_within);
  count("keep_daily", "KEEP_DAILY", "keep the newest backup of each of the last N days",
        &RetentionRules::keep_daily);
  count("keep_weekly", "KEEP_WEEKLY", "keep the newest backup of each of the last N weeks",
        &RetentionRules::keep_weekly);
  count("keep_monthly", "KEEP_MONTHLY", "keep the newest backup of each of the last N months",
        &RetentionRules::keep_monthly);
  count("keep_yearly", "KEEP_YEARLY", "keep the newest backup of each of the last N years",
        &RetentionRules::keep_yearly);
  duration("pitr_window", "PITR_WINDOW",
           "keep the base backups and WAL needed to restore to any moment this far back",
           &RetentionRules::pitr_window);
}

// [[notify.email]], [[notify.slack]] and [[notify.teams]] share name, min_severity and
// repeat_every.
void add_channel_common_keys(std::vector<ConfigKey>& keys, const std::string& prefix,
                             std::vector<NotifyChannel> NotifyConfig::*channels)
{
  auto channel = [channels](Config& c, const ConfigScope& s) -> NotifyChannel& {
    return item(c.notify.*channels, s.index);
  };
  keys.push_back(key(prefix + "name", KeyType::String, "\"\"", "",
                     "the channel's name in the catalog's record of what was sent (empty: kind "
                     "and position, e.g. \"slack1\"); keep it when reordering channels",
                     [channel](Config& c, const ConfigValue& v, const ConfigScope& s) {
                       channel(c, s).name = v.text;
                     }));
  auto severity = key(prefix + "min_severity", KeyType::Choice, "\"warning\"", "",
                      "the least severe event the channel hears of",
                      [channel](Config& c, const ConfigValue& v, const ConfigScope& s) {
                        channel(c, s).min_severity = v.text;
                      });
  severity.choices = {"warning", "critical"};
  keys.push_back(std::move(severity));
  keys.push_back(key(prefix + "repeat_every", KeyType::Duration, "\"24h\"", "",
                     "a problem that lasts is announced again this often (a reminder)",
                     [channel](Config& c, const ConfigValue& v, const ConfigScope& s) {
                       channel(c, s).repeat_every = v.duration;
                     }));
}

std::optional<std::string> url_scheme_among(const ConfigValue& v,
                                            const std::vector<std::string>& schemes,
                                            const std::string& example)
{
  for (const auto& scheme : schemes)
    if (v.text.rfind(scheme + "://", 0) == 0) return std::nullopt;
  return "must be a URL like " + example;
}

std::vector<ConfigKey> build_keys()
{
  std::vector<ConfigKey> k;
  using S = ConfigScope;
  using V = ConfigValue;

  k.push_back(required(
      key("repository[].name", KeyType::String, "", "", "the repository's name in the catalog",
          [](Config& c, const V& v, const S& s) { item(c.repositories, s.index).name = v.text; })));
  k.push_back(required(
      key("repository[].url", KeyType::String, "", "",
          "where its backups live: a path, file:///path or s3://bucket/prefix",
          [](Config& c, const V& v, const S& s) { item(c.repositories, s.index).url = v.text; })));
  k.push_back(key(
      "repository[].source", KeyType::String, "\"\"", "",
      "the server these dumps come from (e.g. \"prod-eu\"): dumps of two servers never merge",
      [](Config& c, const V& v, const S& s) { item(c.repositories, s.index).source = v.text; }));
  auto from_name =
      key("repository[].database_from_name", KeyType::String, "\"\"", "",
          "regular expression with one capture group giving a plain dump's database from its file "
          "name; empty: the documented convention",
          [](Config& c, const V& v, const S& s) {
            item(c.repositories, s.index).database_from_name = v.text;
          });
  from_name.check = one_capture_group;
  k.push_back(std::move(from_name));
  k.push_back(key("repository[].cipher_pass_file", KeyType::String, "\"\"", "",
                  "file holding the passphrase (repo-cipher-pass) of an encrypted pgBackRest "
                  "repository; LASTGOOD_CIPHER_PASS_<NAME> in the environment also gives it",
                  [](Config& c, const V& v, const S& s) {
                    item(c.repositories, s.index).cipher_pass_file = v.text;
                  }));

  k.push_back(
      key("verify.scratch", KeyType::String, "\"auto\"", "LASTGOOD_VERIFY_SCRATCH",
          "where test restores run: \"auto\" (a private scratch cluster) or a connection string",
          [](Config& c, const V& v, const S&) { c.verify.scratch = v.text; }));
  k.push_back(key("verify.run_as", KeyType::String, "\"\"", "LASTGOOD_VERIFY_RUN_AS",
                  "OS user for scratch clusters when lastgood runs as root (empty: postgres)",
                  [](Config& c, const V& v, const S&) { c.verify.run_as = v.text; }));
  k.push_back(key("verify.restore_every", KeyType::Duration, "\"1d\"",
                  "LASTGOOD_VERIFY_RESTORE_EVERY",
                  "each database and cluster is restore-tested at least this often (verify --due)",
                  [](Config& c, const V& v, const S&) { c.verify.restore_every = v.duration; }));
  k.push_back(key("verify.checksum_every", KeyType::Duration, "\"7d\"",
                  "LASTGOOD_VERIFY_CHECKSUM_EVERY",
                  "every object is re-hashed at least this often (verify --due)",
                  [](Config& c, const V& v, const S&) { c.verify.checksum_every = v.duration; }));
  k.push_back(key("verify.sha256_every", KeyType::Duration, "\"90d\"",
                  "LASTGOOD_VERIFY_SHA256_EVERY",
                  "each object's SHA-256 is recomputed at least this often; checksum reads in "
                  "between compare the faster, non-cryptographic XXH3-128 (verify --cryptographic: "
                  "always SHA-256)",
                  [](Config& c, const V& v, const S&) { c.verify.sha256_every = v.duration; }));
  auto shrink = key(
      "verify.shrink_threshold", KeyType::Real, "0.5", "LASTGOOD_VERIFY_SHRINK_THRESHOLD",
      "share of its rows a table may lose between two test restores before data_shrink is reported",
      [](Config& c, const V& v, const S&) { c.verify.shrink_threshold = v.real; });
  shrink.check = [](const V& v) -> std::optional<std::string> {
    if (v.real > 0 && v.real <= 1) return std::nullopt;
    return "must be a number between 0 (exclusive) and 1, e.g. 0.5";
  };
  k.push_back(std::move(shrink));
  auto severity = key("verify.shrink_severity", KeyType::Choice, "\"warning\"",
                      "LASTGOOD_VERIFY_SHRINK_SEVERITY",
                      "whether data_shrink only warns or fails the test restore",
                      [](Config& c, const V& v, const S&) { c.verify.shrink_severity = v.text; });
  severity.choices = {"warning", "failure"};
  k.push_back(std::move(severity));
  k.push_back(
      key("verify.amcheck_heapallindexed", KeyType::Boolean, "false",
          "LASTGOOD_VERIFY_AMCHECK_HEAPALLINDEXED",
          "amcheck also proves every heap tuple is indexed (slower)",
          [](Config& c, const V& v, const S&) { c.verify.amcheck_heapallindexed = v.boolean; }));
  auto expiry =
      key("verify.lease_expiry", KeyType::Duration, "\"5m\"", "LASTGOOD_VERIFY_LEASE_EXPIRY",
          "a verification's lease runs out this long after its holder last renewed it "
          "(renewed every third of it); then any host sharing the catalog takes it over",
          [](Config& c, const V& v, const S&) { c.verify.lease_expiry = v.duration; });
  expiry.check = [](const V& v) -> std::optional<std::string> {
    if (v.duration >= std::chrono::seconds(2)) return std::nullopt;
    return "must be at least 2s (it is renewed every third of it), e.g. \"5m\"";
  };
  k.push_back(std::move(expiry));
  k.push_back(key("verify.max_concurrent_per_source", KeyType::Count, "0",
                  "LASTGOOD_VERIFY_MAX_CONCURRENT_PER_SOURCE",
                  "at most this many test restores of one source server's backups at once, across "
                  "every process sharing the catalog (0: no cap)",
                  [](Config& c, const V& v, const S&) {
                    c.verify.max_concurrent_per_source = static_cast<unsigned>(v.count);
                  }));
  k.push_back(required(key("verify.check[].database", KeyType::String, "", "",
                           "the database the check runs in", [](Config& c, const V& v, const S& s) {
                             item(c.verify.checks, s.index).database = v.text;
                           })));
  k.push_back(required(key(
      "verify.check[].name", KeyType::String, "", "", "the check's name in findings",
      [](Config& c, const V& v, const S& s) { item(c.verify.checks, s.index).name = v.text; })));
  k.push_back(required(
      key("verify.check[].sql", KeyType::String, "", "",
          "a query returning one row holding one boolean true when the data is right",
          [](Config& c, const V& v, const S& s) { item(c.verify.checks, s.index).sql = v.text; })));

  add_retention_keys(k, "retention.", true,
                     [](Config& c, const S&) -> RetentionRules& { return c.retention.defaults; });
  add_retention_keys(
      k, "retention.database.<NAME>.", false,
      [](Config& c, const S& s) -> RetentionRules& { return c.retention.per_database[s.name]; });
  add_retention_keys(
      k, "retention.cluster.<SYSID>.", false,
      [](Config& c, const S& s) -> RetentionRules& { return c.retention.per_cluster[s.name]; });

  k.push_back(
      key("compliance.rpo", KeyType::Duration, "\"24h\"", "LASTGOOD_COMPLIANCE_RPO",
          "recovery point objective: the newest restorable backup must be younger than this",
          [](Config& c, const V& v, const S&) { c.compliance.rpo = v.duration; }));
  k.push_back(
      key("compliance.verified_within", KeyType::Duration, "\"7d\"",
          "LASTGOOD_COMPLIANCE_VERIFIED_WITHIN", "a passing test restore must be younger than this",
          [](Config& c, const V& v, const S&) { c.compliance.verified_within = v.duration; }));
  k.push_back(
      key("compliance.rto", KeyType::Duration, "", "LASTGOOD_COMPLIANCE_RTO",
          "recovery time objective: test restores must finish within this (unset: not judged)",
          [](Config& c, const V& v, const S&) { c.compliance.rto = v.duration; }));

  k.push_back(secret(key(
      "notify.webhook", KeyType::String, "\"\"", "LASTGOOD_NOTIFY_WEBHOOK",
      "URL that failures are POSTed to (Slack-compatible JSON); secret: it usually holds a token",
      [](Config& c, const V& v, const S&) { c.notify.webhook = v.text; })));

  k.push_back(required(secret(
      key("notify.email[].url", KeyType::String, "", "",
          "the SMTP server: smtp://host:587 (STARTTLS as starttls says) or smtps://host:465",
          [](Config& c, const V& v, const S& s) { item(c.notify.email, s.index).url = v.text; }))));
  k.back().check = [](const V& v) {
    return url_scheme_among(v, {"smtp", "smtps"}, "\"smtp://mail.example.com:587\"");
  };
  k.push_back(required(
      key("notify.email[].from", KeyType::String, "", "", "the sender address",
          [](Config& c, const V& v, const S& s) { item(c.notify.email, s.index).from = v.text; })));
  k.push_back(required(
      key("notify.email[].to", KeyType::StringList, "", "", "the recipients' addresses",
          [](Config& c, const V& v, const S& s) { item(c.notify.email, s.index).to = v.list; })));
  k.push_back(key(
      "notify.email[].username", KeyType::String, "\"\"", "", "SMTP AUTH user (empty: no AUTH)",
      [](Config& c, const V& v, const S& s) { item(c.notify.email, s.index).username = v.text; }));
  k.push_back(secret(key(
      "notify.email[].password", KeyType::String, "\"\"", "", "SMTP AUTH password",
      [](Config& c, const V& v, const S& s) { item(c.notify.email, s.index).password = v.text; })));
  auto starttls = key(
      "notify.email[].starttls", KeyType::Choice, "\"required\"", "",
      "with smtp://: STARTTLS required (refuse a server without it), try, or off (plain text)",
      [](Config& c, const V& v, const S& s) { item(c.notify.email, s.index).starttls = v.text; });
  starttls.choices = {"required", "try", "off"};
  k.push_back(std::move(starttls));
  k.push_back(key(
      "notify.email[].ca_file", KeyType::String, "\"\"", "",
      "CA certificates (PEM) the SMTP server's certificate must chain to (empty: the system's)",
      [](Config& c, const V& v, const S& s) { item(c.notify.email, s.index).ca_file = v.text; }));
  add_channel_common_keys(k, "notify.email[].", &NotifyConfig::email);
  for (const auto& [kind, field] : {std::pair{std::string("slack"), &NotifyConfig::slack},
                                    std::pair{std::string("teams"), &NotifyConfig::teams}}) {
    k.push_back(required(secret(key("notify." + kind + "[].url", KeyType::String, "", "",
                                    "the incoming-webhook URL; secret: it holds a token",
                                    [member = field](Config& c, const V& v, const S& s) {
                                      item(c.notify.*member, s.index).url = v.text;
                                    }))));
    k.back().check = [](const V& v) {
      return url_scheme_among(v, {"https", "http"}, "\"https://hooks.slack.com/services/...\"");
    };
    add_channel_common_keys(k, "notify." + kind + "[].", field);
  }

  k.push_back(key("drill.database", KeyType::String, "\"\"", "LASTGOOD_DRILL_DATABASE",
                  "the database the drill restores and proves",
                  [](Config& c, const V& v, const S&) { c.drill.database = v.text; }));
  k.push_back(
      key("drill.tables", KeyType::StringList, "[]", "",
          "tables (\"orders\" or \"schema.orders\") that must have rows after the drill's restore",
          [](Config& c, const V& v, const S&) { c.drill.tables = v.list; }));
  k.push_back(required(key(
      "drill.command[].name", KeyType::String, "", "", "the command's name in the drill's result",
      [](Config& c, const V& v, const S& s) { item(c.drill.commands, s.index).name = v.text; })));
  k.push_back(required(key(
      "drill.command[].run", KeyType::String, "", "",
      "a shell command run after the data checks; passes on exit 0",
      [](Config& c, const V& v, const S& s) { item(c.drill.commands, s.index).run = v.text; })));

  k.push_back(
      key("drill.redis[].name", KeyType::String, "\"\"", "",
          "the check's name in the drill's result (empty: host:port)",
          [](Config& c, const V& v, const S& s) { item(c.drill.redis, s.index).name = v.text; }));
  k.push_back(required(secret(
      key("drill.redis[].url", KeyType::String, "", "",
          "redis://[:password@]host:port[/db]; the drill PINGs it, writes, reads and deletes a "
          "temporary key and reports DBSIZE",
          [](Config& c, const V& v, const S& s) { item(c.drill.redis, s.index).url = v.text; }))));
  k.back().check = [](const V& v) -> std::optional<std::string> {
    if (v.text.rfind("rediss://", 0) == 0)
      return "rediss:// (TLS) is not supported: this build's hiredis (0.14, Debian 12) has no TLS; "
             "use redis:// over a trusted network or a local TLS tunnel (e.g. stunnel)";
    return url_scheme_among(v, {"redis"}, "\"redis://:password@127.0.0.1:6379/0\"");
  };

  k.push_back(
      key("s3.access_key_id", KeyType::String, "\"\"", "LASTGOOD_S3_ACCESS_KEY_ID",
          "S3 access key id; the first credential source, before AWS_ACCESS_KEY_ID (docs/s3.md)",
          [](Config& c, const V& v, const S&) { c.s3.access_key_id = v.text; }));
  k.push_back(
      secret(key("s3.secret_access_key", KeyType::String, "\"\"", "LASTGOOD_S3_SECRET_ACCESS_KEY",
                 "S3 secret access key, with s3.access_key_id",
                 [](Config& c, const V& v, const S&) { c.s3.secret_access_key = v.text; })));
  k.push_back(secret(key("s3.session_token", KeyType::String, "\"\"", "LASTGOOD_S3_SESSION_TOKEN",
                         "S3 session token, with s3.access_key_id (temporary credentials)",
                         [](Config& c, const V& v, const S&) { c.s3.session_token = v.text; })));
  k.push_back(key("s3.region", KeyType::String, "\"\"", "LASTGOOD_S3_REGION",
                  "S3 region when the URL does not give one",
                  [](Config& c, const V& v, const S&) { c.s3.region = v.text; }));
  k.push_back(
      key("s3.profile", KeyType::String, "\"\"", "LASTGOOD_S3_PROFILE",
          "profile in ~/.aws/credentials and ~/.aws/config; \"\": AWS_PROFILE, else default",
          [](Config& c, const V& v, const S&) { c.s3.profile = v.text; }));
  ConfigKey read_part =
      key("s3.read_part_size_mib", KeyType::Count, "8", "LASTGOOD_S3_READ_PART_SIZE_MIB",
          "size of the ranged GETs that read an S3 object, in MiB (8 as the AWS CLI)",
          [](Config& c, const V& v, const S&) {
            c.s3.read_part_size_mib = static_cast<std::uint64_t>(v.count);
          });
  read_part.check = [](const V& v) -> std::optional<std::string> {
    if (v.count < 1 || v.count > 5120) return "must be between 1 and 5120 (MiB)";
    return std::nullopt;
  };
  k.push_back(std::move(read_part));
  ConfigKey read_concurrency =
      key("s3.read_concurrency", KeyType::Count, "4", "LASTGOOD_S3_READ_CONCURRENCY",
          "ranged GETs in flight (read ahead) per S3 object being read",
          [](Config& c, const V& v, const S&) {
            c.s3.read_concurrency = static_cast<unsigned>(v.count);
          });
  read_concurrency.check = [](const V& v) -> std::optional<std::string> {
    if (v.count < 1 || v.count > 64) return "must be between 1 and 64";
    return std::nullopt;
  };
  k.push_back(std::move(read_concurrency));

  k.push_back(key("schedule.every", KeyType::Duration, "\"1d\"", "LASTGOOD_SCHEDULE_EVERY",
                  "how often the scheduler runs `lastgood run`; metrics export it so an alert can "
                  "tell stale metrics",
                  [](Config& c, const V& v, const S&) { c.schedule.every = v.duration; }));
  return k;
}

} // namespace

const std::vector<ConfigSection>& config_sections()
{
  static const std::vector<ConfigSection> sections = {
      {"repository", SectionKind::ArrayOfTables, "",
       "where backups live; one [[repository]] per repository"},
      {"verify", SectionKind::Table, "", "verification: where test restores run and how often"},
      {"verify.check", SectionKind::ArrayOfTables, "",
       "SQL assertions run against every test-restored database"},
      {"retention", SectionKind::Table, "",
       "which backups retention keeps (an unset rule keeps nothing by itself)"},
      {"retention.database", SectionKind::NamedTables, "<NAME>",
       "rules for one database, replacing only the keys they set"},
      {"retention.cluster", SectionKind::NamedTables, "<SYSID>",
       "rules for one cluster (system identifier), replacing only the keys they set"},
      {"compliance", SectionKind::Table, "", "the targets the report measures against"},
      {"notify", SectionKind::Table, "", "where failures are announced"},
      {"notify.email", SectionKind::ArrayOfTables, "",
       "mail through an SMTP server (STARTTLS, AUTH), deduplicated, with reminders and recoveries"},
      {"notify.slack", SectionKind::ArrayOfTables, "",
       "a Slack incoming webhook, deduplicated, with reminders and recoveries"},
      {"notify.teams", SectionKind::ArrayOfTables, "",
       "a Microsoft Teams incoming webhook (MessageCard), deduplicated, with reminders and "
       "recoveries"},
      {"drill", SectionKind::Table, "", "what `lastgood drill` proves"},
      {"drill.command", SectionKind::ArrayOfTables, "",
       "extra commands the drill runs after the data checks"},
      {"drill.redis", SectionKind::ArrayOfTables, "",
       "Redis servers the drill checks: PING, write/read/delete a temporary key, DBSIZE"},
      {"s3", SectionKind::Table, "",
       "S3 credentials, region and shared-files profile (docs/s3.md, \"Credentials\")"},
      {"schedule", SectionKind::Table, "", "how lastgood is scheduled"},
  };
  return sections;
}

const std::vector<ConfigKey>& config_keys()
{
  static const std::vector<ConfigKey> keys = build_keys();
  return keys;
}

const ConfigSection* find_config_section(std::string_view path)
{
  for (const auto& s : config_sections())
    if (s.path == path) return &s;
  return nullptr;
}

const ConfigKey* find_config_key(std::string_view pattern)
{
  for (const auto& k : config_keys())
    if (k.path == pattern) return &k;
  return nullptr;
}

std::string expected_form(const ConfigKey& key)
{
  switch (key.type) {
  case KeyType::String:
    return "a string in quotes";
  case KeyType::Duration:
    return "a duration like \"24h\" or \"7d\"";
  case KeyType::Count:
    return "a whole number, 0 or more, like 7";
  case KeyType::Boolean:
    return "true or false";
  case KeyType::Real:
    return "a number like 0.5";
  case KeyType::Choice: {
    std::string form = "one of";
    for (std::size_t i = 0; i < key.choices.size(); ++i)
      form += (i ? (i + 1 == key.choices.size() ? " or " : ", ") : " ") +
              ("\"" + key.choices[i] + "\"");
    return form;
  }
  case KeyType::StringList:
    return "a list of strings like [\"orders\", \"public.customers\"]";
  }
  return {};
}

} // namespace lastgood
