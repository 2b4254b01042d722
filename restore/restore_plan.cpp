#include "restore/restore_plan.hpp"

#include "catalog/last_good.hpp"
#include "common/error.hpp"
#include "common/redact.hpp"
#include "restore/target_server.hpp"

#include <algorithm>

namespace lastgood::restore {

namespace {

bool is_archive(const std::string& format)
{
  return format == "custom" || format == "directory" || format == "tar";
}

void check_backup(const catalog::BackupRow& b)
{
  if (b.kind != "logical")
    throw UsageError("backup " + b.backup_id + " is a " + b.kind +
                     " backup; restore ID --to restores logical dumps only (physical restore and "
                     "point-in-time recovery come with restore --target-time)");
  if (b.format == "plain_cluster")
    throw UsageError(
        "backup " + b.backup_id +
        " is pg_dumpall output (roles and every database); restore it by hand with psql");
  if (!is_archive(b.format) && b.format != "plain")
    throw UsageError("backup " + b.backup_id + " has format '" + b.format +
                     "', which restore cannot read");
  if (b.missing_since)
    throw UsageError("backup " + b.backup_id + " has been missing from its repository since " +
                     *b.missing_since + "; run 'lastgood scan' or pick another backup");
  if (b.format == "plain" && b.compression && !b.compression->empty() && *b.compression != "none")
    throw UsageError("backup " + b.backup_id + " is a " + *b.compression +
                     "-compressed plain dump; decompress it and restore it with psql by hand");
}

std::pair<std::string, std::string> split_table(const std::string& qualified)
{
  const auto dot = qualified.find('.');
  if (dot == std::string::npos || dot == 0 || dot + 1 == qualified.size())
    throw UsageError("--table '" + qualified + "': give it as SCHEMA.TABLE (e.g. public.orders)");
  return {qualified.substr(0, dot), qualified.substr(dot + 1)};
}

void check_name(const std::string& name)
{
  if (name.empty()) throw UsageError("--as: the database name is empty");
  if (name.size() > kMaxDatabaseName)
    throw UsageError("--as '" + name + "': PostgreSQL database names are at most 63 bytes");
  if (name.find(kTemporaryMarker) != std::string::npos)
    throw UsageError("--as '" + name + "': names containing '" + kTemporaryMarker +
                     "' are reserved for lastgood's temporary databases");
}

std::vector<std::string> archive_options(const catalog::BackupRow& b,
                                         const LogicalRestoreOptions& o, bool& selective)
{
  std::vector<std::string> args = {"--no-tablespaces"};
  if (o.jobs > 1 && (b.format == "custom" || b.format == "directory"))
    args.push_back("--jobs=" + std::to_string(o.jobs));
  if (o.schema_only) args.push_back("--schema-only");
  if (o.data_only) args.push_back("--data-only");
  std::vector<std::string> schemas, tables;
  if (o.schema) schemas.push_back(*o.schema);
  for (const auto& t : o.tables) {
    auto [schema, table] = split_table(t);
    if (o.schema && schema != *o.schema)
      throw UsageError("--table " + t + " is not in --schema " + *o.schema +
                       "; give tables of that schema, or leave --schema out");
    if (std::find(schemas.begin(), schemas.end(), schema) == schemas.end())
      schemas.push_back(schema);
    tables.push_back(table);
  }
  // pg_restore cannot qualify -t with a schema; -n narrows it, which is exact
  // only when every table is in the same schema.
  if (!tables.empty() && schemas.size() > 1)
    throw UsageError("--table names tables in " + std::to_string(schemas.size()) +
                     " schemas; pg_restore can select tables of one schema per restore");
  for (const auto& s : schemas)
    args.push_back("--schema=" + s);
  for (const auto& t : tables)
    args.push_back("--table=" + t);
  selective = o.schema_only || o.data_only || !schemas.empty();
  return args;
}

} // namespace

RestorePlan plan_logical_restore(catalog::Database& db, const catalog::BackupRow& backup,
                                 LogicalRestoreOptions options, std::string why)
{
  check_backup(backup);
  if (options.schema_only && options.data_only)
    throw UsageError("--schema-only and --data-only exclude each other; give one");
  const bool plain = backup.format == "plain";
  if (plain &&
      (options.schema_only || options.data_only || options.schema || !options.tables.empty()))
    throw UsageError(
        "backup " + backup.backup_id +
        " is a plain SQL dump: --table, --schema, --schema-only and --data-only need an "
        "archive (custom, directory or tar) that pg_restore can select from");
  if (options.jobs == 0) options.jobs = 1;
  if (!options.drop_existing && (!options.safety_snapshot || options.terminate_connections))
    throw UsageError(
        "--no-safety-snapshot and --terminate-connections only apply with --drop-existing");
  RestorePlan plan;
  plan.target_database = options.as ? *options.as : backup.database.value_or("");
  if (plan.target_database.empty())
    throw UsageError("backup " + backup.backup_id + " does not name its database; give --as NAME");
  check_name(plan.target_database);
  if (options.drop_existing &&
      (plan.target_database == "postgres" || plan.target_database.starts_with("template")))
    throw UsageError("--drop-existing will not swap out '" + plan.target_database +
                     "': it is a maintenance or template database");
  plan.target = TargetServer(options.to, options.to_flag).display();
  plan.backup = backup;
  plan.why = std::move(why);
  if (auto run = catalog::last_restore_run_id(db, backup.id))
    plan.evidence = catalog::find_run(db, *run);
  if (plain) {
    plan.tool = "psql";
    plan.tool_options = {"-X", "-q", "-v", "ON_ERROR_STOP=0"};
    if (options.jobs > 1)
      plan.notes.push_back("--jobs is ignored: psql replays a plain dump serially");
  } else {
    plan.tool = "pg_restore";
    plan.tool_options = archive_options(backup, options, plan.selective);
    if (options.jobs > 1 && backup.format == "tar")
      plan.notes.push_back(
          "--jobs applies to the checks only: pg_restore cannot restore tar archives in parallel");
  }
  if (backup.status == "bad")
    plan.notes.push_back(
        "this backup is marked bad by its verification history; the checks decide again");
  if (!options.tables.empty())
    plan.notes.push_back(
        "--table restores the tables' definitions and data only, not their indexes, "
        "constraints or the objects they depend on");
  if (plan.selective)
    plan.notes.push_back(
        "a partial restore: user checks and drift against the last passing restore are "
        "skipped (they describe the whole database)");
  plan.notes.push_back("tablespaces are not restored: everything goes to the default tablespace");
  const auto temp = plan.target_database + kTemporaryMarker + "<run>";
  plan.steps = {
      options.drop_existing
          ? "if database '" + plan.target_database + "' exists on " + plan.target +
                ": check that no session is connected to it" +
                (options.terminate_connections ? " (else they are terminated just before the swap)"
                                               : " (else refuse, before anything is restored)")
          : "check that database '" + plan.target_database + "' does not exist on " + plan.target,
      "create the temporary database '" + temp + "' (TEMPLATE template0)",
      plan.tool + " " +
          [&] {
            std::string joined;
            for (const auto& a : plan.tool_options)
              joined += (joined.empty() ? "" : " ") + a;
            return joined;
          }() +
          " into '" + temp + "'",
      std::string("check it: exact row counts, amcheck on every B-tree index") +
          (plan.selective ? ""
                          : ", user checks for database '" + backup.database.value_or("") +
                                "', drift against the last passing restore")};
  if (options.drop_existing) {
    const auto aside = plan.target_database + kTemporaryMarker + "old_<run>";
    plan.steps.push_back("if any check failed: drop '" + temp + "'; the existing database is " +
                         "not touched");
    plan.steps.push_back(options.safety_snapshot
                             ? "if '" + plan.target_database +
                                   "' exists: safety snapshot (pg_dump, custom format) "
                                   "into repository '" +
                                   backup.repository + "', cataloged as a backup"
                             : "no safety snapshot (--no-safety-snapshot)");
    if (options.terminate_connections)
      plan.steps.push_back("block new connections to '" + plan.target_database +
                           "' and terminate its sessions (audited)");
    plan.steps.push_back("rename '" + plan.target_database + "' to '" + aside +
                         "' (kept; lastgood never drops it), then '" + temp + "' to '" +
                         plan.target_database + "'; undo with restore --rollback <run>");
  } else {
    plan.steps.push_back("only if all of that passed: rename '" + temp + "' to '" +
                         plan.target_database + "'; otherwise drop it and touch nothing else");
  }
  plan.options = std::move(options);
  return plan;
}

nlohmann::json options_json(const LogicalRestoreOptions& o)
{
  return {{"as", o.as ? nlohmann::json(*o.as) : nlohmann::json()},
          {"tables", o.tables},
          {"schema", o.schema ? nlohmann::json(*o.schema) : nlohmann::json()},
          {"schema_only", o.schema_only},
          {"data_only", o.data_only},
          {"jobs", o.jobs},
          {"drop_existing", o.drop_existing},
          {"safety_snapshot", o.drop_existing && o.safety_snapshot},
          {"terminate_connections", o.terminate_connections}};
}

nlohmann::json to_json(const RestorePlan& p)
{
  return {{"backup", catalog::to_json(p.backup)},
          {"why", p.why},
          {"evidence", p.evidence ? catalog::to_json(*p.evidence) : nlohmann::json()},
          {"target", p.target},
          {"target_database", p.target_database},
          {"temporary_database", p.target_database + kTemporaryMarker + "<run>"},
          {"tool", p.tool},
          {"tool_options", p.tool_options},
          {"options", options_json(p.options)},
          {"selective", p.selective},
          {"steps", p.steps},
          {"notes", p.notes}};
}

} // namespace lastgood::restore
