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
  std::error_code unreadable; // a default path this user may not even look at counts as absent
  return std::filesystem::exists(path, unreadable) ? path.string() : std::string();
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

std::chrono::seconds duration_at(const toml::node_view<const toml::node>& node, const std::string& where)
{
  auto text = node.value<std::string>();
  if (!text) throw UsageError(where + " must be a duration such as \"36h\" or \"7d\"");
  try {
    return parse_duration(*text);
  } catch (const ValidationError& e) {
    throw UsageError(where + ": " + e.what());
  }
}

std::optional<int> count_at(const toml::node_view<const toml::node>& node, const std::string& where)
{
  if (!node) return std::nullopt;
  auto value = node.value<int64_t>();
  if (!value || *value < 0) throw UsageError(where + " must be a whole number of backups, 0 or more");
  return static_cast<int>(*value);
}

void read_rules(const toml::table& section, const std::string& where, RetentionRules& rules)
{
  auto at = [&](const char* key) { return where + "." + key; };
  if (auto v = count_at(section["keep_last"], at("keep_last"))) rules.keep_last = v;
  if (auto v = count_at(section["keep_daily"], at("keep_daily"))) rules.keep_daily = v;
  if (auto v = count_at(section["keep_weekly"], at("keep_weekly"))) rules.keep_weekly = v;
  if (auto v = count_at(section["keep_monthly"], at("keep_monthly"))) rules.keep_monthly = v;
  if (auto v = count_at(section["keep_yearly"], at("keep_yearly"))) rules.keep_yearly = v;
  if (section["keep_within"]) rules.keep_within = duration_at(section["keep_within"], at("keep_within"));
  if (section["pitr_window"]) rules.pitr_window = duration_at(section["pitr_window"], at("pitr_window"));
}

void read_retention(const toml::table& table, const std::string& source, RetentionConfig& retention)
{
  const auto* section = table["retention"].as_table();
  if (!section) return;
  const std::string where = "configuration file " + source + ": retention";
  read_rules(*section, where, retention.defaults);
  auto read_scoped = [&](const char* scope, std::map<std::string, RetentionRules>& into) {
    const auto* scoped = (*section)[scope].as_table();
    if (!scoped) return;
    for (const auto& [name, node] : *scoped) {
      const auto* rules = node.as_table();
      if (!rules) throw UsageError(where + "." + scope + "." + std::string(name.str()) + " must be a table");
      read_rules(*rules, where + "." + scope + "." + std::string(name.str()), into[std::string(name.str())]);
    }
  };
  read_scoped("database", retention.per_database);
  read_scoped("cluster", retention.per_cluster);
}

void read_compliance(const toml::table& table, const std::string& source, ComplianceConfig& compliance)
{
  const auto* section = table["compliance"].as_table();
  if (!section) return;
  const std::string where = "configuration file " + source + ": compliance.";
  if ((*section)["rpo"]) compliance.rpo = duration_at((*section)["rpo"], where + "rpo");
  if ((*section)["verified_within"])
    compliance.verified_within = duration_at((*section)["verified_within"], where + "verified_within");
  if ((*section)["rto"]) compliance.rto = duration_at((*section)["rto"], where + "rto");
}

void read_notify_drill_s3(const toml::table& table, const std::string& source, Config& config)
{
  if (auto v = table["notify"]["webhook"].value<std::string>()) config.notify.webhook = *v;
  if (const auto* drill = table["drill"].as_table()) {
    if (auto v = (*drill)["database"].value<std::string>()) config.drill.database = *v;
    if (const auto* tables = (*drill)["tables"].as_array()) {
      for (const auto& node : *tables) {
        auto table = node.value<std::string>();
        if (!table || table->empty())
          throw UsageError("configuration file " + source + ": drill.tables holds table names as strings");
        config.drill.tables.push_back(*table);
      }
    }
    if (const auto* commands = (*drill)["command"].as_array()) {
      for (const auto& node : *commands) {
        const auto* command = node.as_table();
        auto name = command ? (*command)["name"].value<std::string>() : std::nullopt;
        auto run = command ? (*command)["run"].value<std::string>() : std::nullopt;
        if (!name || !run)
          throw UsageError("configuration file " + source + ": every [[drill.command]] needs name and run");
        config.drill.commands.push_back({*name, *run});
      }
    }
  }
  if (const auto* s3 = table["s3"].as_table()) {
    if (auto v = (*s3)["access_key_id"].value<std::string>()) config.s3.access_key_id = *v;
    if (auto v = (*s3)["secret_access_key"].value<std::string>()) config.s3.secret_access_key = *v;
    if (auto v = (*s3)["session_token"].value<std::string>()) config.s3.session_token = *v;
    if (auto v = (*s3)["region"].value<std::string>()) config.s3.region = *v;
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
      config.repositories.push_back({*name, *url, (*repo)["source"].value_or(std::string()),
                                     (*repo)["database_from_name"].value_or(std::string())});
    }
  }
  read_verify(table, config.source, config.verify);
  read_retention(table, config.source, config.retention);
  read_compliance(table, config.source, config.compliance);
  read_notify_drill_s3(table, config.source, config);
  apply_environment(config.verify);
  return config;
}

} // namespace lastgood
