// restore ID | --last-good --database DB --to CONNSTR [--as NAME] [--table SCHEMA.TABLE]...
//         [--schema NAME] [--schema-only] [--data-only] [--jobs N] [--dry-run] [--json]

#include "catalog/backup_queries.hpp"
#include "cli/cmd_restore_physical.hpp"
#include "cli/context.hpp"
#include "common/error.hpp"
#include "common/redact.hpp"
#include "restore/logical_restore.hpp"
#include "restore/pick.hpp"
#include "restore/restore_plan.hpp"
#include "restore/target_server.hpp"

#include <CLI/CLI.hpp>
#include <iostream>

namespace lastgood::cli {

namespace {

struct RestoreCliOptions
{
  std::string id;
  bool last_good = false;
  std::string database;
  restore::LogicalRestoreOptions restore;
  std::string as, schema;
  bool dry_run = false;
  bool json = false;
};

// The backup to restore and why; nullopt (exit 3 already reported) when
// --last-good finds nothing good.
std::optional<std::pair<catalog::BackupRow, std::string>> choose(Context& ctx,
                                                                 const RestoreCliOptions& o)
{
  auto& db = ctx.catalog().db();
  if (o.last_good == !o.id.empty())
    throw UsageError("give a backup ID or --last-good (with --database), one of them");
  if (!o.last_good) {
    auto b = catalog::find_backup(db, o.id);
    if (!b) throw UsageError("no backup with ID '" + o.id + "' (see 'lastgood backups')");
    if (!o.database.empty() && b->database.value_or("") != o.database)
      throw UsageError("backup " + b->backup_id + " is of database '" + b->database.value_or("?") +
                       "', not --database " + o.database);
    return std::pair{*b, "given by ID (status " + b->status + ")"};
  }
  if (o.database.empty())
    throw UsageError("--last-good needs --database DB: the last good backup of which database?");
  restore::PickRequest request;
  request.database = o.database;
  auto picked = restore::pick_last_good(db, request);
  if (!picked.backup) {
    if (o.json)
      print_json({{"plan", nullptr}, {"result", nullptr}, {"pick", restore::to_json(picked)}});
    std::cerr << "lastgood: no backup of database " << o.database
              << " has passed a test restore; nothing restored.";
    if (picked.newest_unverified)
      std::cerr << " Newest unverified: " << picked.newest_unverified->backup_id
                << " (lastgood verify " << picked.newest_unverified->backup_id
                << ", or restore it by ID).";
    if (picked.newest_bad) std::cerr << " Newest bad: " << picked.newest_bad->backup_id << ".";
    if (!picked.newest_unverified && !picked.newest_bad)
      std::cerr << " There are no backups of it at all.";
    std::cerr << '\n';
    return std::nullopt;
  }
  std::string why = "the last known good backup of database " + o.database;
  if (picked.evidence)
    why += ": its test restore (run " + std::to_string(picked.evidence->id) + ") passed at " +
           picked.evidence->finished_at.value_or("?");
  return std::pair{*picked.backup, why};
}

void print_plan(const restore::RestorePlan& p, const std::string& refusal)
{
  const auto& b = p.backup;
  std::cout << "restore plan (dry run: nothing is changed)\n"
            << "  backup     " << b.backup_id << "  (" << b.repository << ": " << b.root_key
            << ")\n"
            << "  why        " << p.why << '\n'
            << "  status     " << b.status;
  if (p.evidence)
    std::cout << ", newest test restore run " << p.evidence->id << " " << p.evidence->outcome
              << " at " << p.evidence->finished_at.value_or("?");
  std::cout << '\n'
            << "  backup     " << b.format << " dump of " << b.database.value_or("?") << ", "
            << human_bytes(b.size_bytes) << ", taken "
            << b.stop_time.value_or(b.start_time.value_or("?")) << '\n'
            << "  target     database " << p.target_database << " on " << p.target << '\n'
            << "  steps\n";
  for (std::size_t i = 0; i < p.steps.size(); ++i)
    std::cout << "    " << i + 1 << ". " << p.steps[i] << '\n';
  for (const auto& n : p.notes)
    std::cout << "  note: " << n << '\n';
  if (!refusal.empty()) std::cout << "  would not run: " << refusal << '\n';
}

// Read-only look at the target for --dry-run: "" when the restore could go ahead.
std::pair<std::string, int> dry_run_refusal(const restore::RestorePlan& p)
{
  try {
    if (restore::TargetServer(p.options.to).database_exists(p.target_database))
      return {"database " + p.target_database +
                  " exists on the target; restore --as NEWNAME, or "
                  "--drop-existing (not available yet)",
              kExitUsage};
  } catch (const Error& e) {
    return {redact(e.what()), e.exit_code()};
  }
  return {"", kExitOk};
}

void print_result(const restore::LogicalRestoreResult& r)
{
  for (const auto& f : r.findings)
    std::cout << "  " << verifier::to_string(f.severity) << " " << f.kind
              << (f.subject.empty() ? "" : " " + f.subject) << ": " << redact(f.message) << '\n';
  if (r.outcome == "pass")
    std::cout << redact(r.message) << " in " << static_cast<int>(r.seconds + 0.5) << " s\n";
  else
    std::cerr << "lastgood: " << redact(r.message) << " (restore run " << r.run_id << ")\n";
}

} // namespace

void register_restore_command(CLI::App& app, Context& ctx)
{
  auto o = std::make_shared<RestoreCliOptions>();
  auto physical = std::make_shared<PhysicalRestoreCli>();
  auto* cmd = app.add_subcommand(
      "restore", "restore a logical backup into a new database, checked before it is named");
  cmd->add_option("ID", o->id, "the backup (an ID or an unambiguous prefix)");
  cmd->add_flag("--last-good", o->last_good, "the last known good backup of --database");
  cmd->add_option("--database", o->database, "with --last-good: of this database");
  cmd->add_option("--to", o->restore.to, "target server connection string (logical restore)");
  // Physical restore / PITR (cmd_restore_physical.cpp).
  cmd->add_option("--pgdata", physical->pgdata, "physical restore: into this empty data directory");
  cmd->add_option("--target-time", physical->target_time, "with --pgdata: recover to this time (RFC 3339)");
  cmd->add_option("--target-lsn", physical->target_lsn, "with --pgdata: recover to this LSN");
  cmd->add_flag("--immediate", physical->immediate, "with --pgdata: stop as soon as the backup is consistent");
  cmd->add_option("--cluster", physical->cluster, "with --pgdata: the cluster (system identifier)");
  cmd->add_option("--timeline", physical->timeline, "with --pgdata: recovery_target_timeline (default latest)");
  cmd->add_option("--backup", physical->backup, "with --pgdata: use this base backup");
  cmd->add_option("--target-action", physical->target_action, "with --pgdata: pause (default) | promote | shutdown");
  cmd->add_option("--run-as", physical->run_as, "with --pgdata as root: the server's OS user (default postgres)");
  cmd->add_flag("--start", physical->start, "with --pgdata: start the server and wait for the target");
  cmd->add_option("--as", o->as, "name of the new database (default: the backup's database)");
  cmd->add_option("--table", o->restore.tables, "only this table, SCHEMA.TABLE (repeatable)");
  cmd->add_option("--schema", o->schema, "only this schema");
  cmd->add_flag("--schema-only", o->restore.schema_only, "definitions only, no data");
  cmd->add_flag("--data-only", o->restore.data_only, "data only, no definitions");
  cmd->add_option("--jobs", o->restore.jobs, "parallel pg_restore jobs and check connections")
      ->check(CLI::Range(1u, 64u));
  cmd->add_flag("--dry-run", o->dry_run, "print the plan, change nothing");
  cmd->add_flag("--json", o->json, "print one JSON document");
  cmd->callback([&ctx, o, physical] {
    if (!physical->pgdata.empty()) {
      physical->last_good = o->last_good;
      physical->dry_run = o->dry_run;
      physical->json = o->json;
      return run_physical_restore_command(ctx, *physical);
    }
    if (o->restore.to.empty()) throw UsageError("restore needs --to CONNSTR (logical) or --pgdata DIR (physical)");
    if (!o->as.empty()) o->restore.as = o->as;
    if (!o->schema.empty()) o->restore.schema = o->schema;
    auto chosen = choose(ctx, *o);
    if (!chosen) {
      ctx.exit_code = kExitProblem;
      return;
    }
    auto plan = restore::plan_logical_restore(ctx.catalog().db(), chosen->first, o->restore,
                                              chosen->second);
    if (o->dry_run) {
      auto [refusal, code] = dry_run_refusal(plan);
      if (o->json) {
        auto doc = restore::to_json(plan);
        doc["would_not_run"] = refusal.empty() ? nlohmann::json() : nlohmann::json(refusal);
        print_json({{"dry_run", true}, {"plan", doc}, {"result", nullptr}});
      } else {
        print_plan(plan, refusal);
      }
      ctx.exit_code = code;
      return;
    }
    const bool show_progress = !o->json && !ctx.quiet && stderr_is_terminal();
    auto result = restore::run_logical_restore(ctx.catalog().db(), plan, ctx.config().verify,
                                               [show_progress](std::string_view step) {
                                                 if (show_progress)
                                                   std::cerr << "  " << step << " ...\n";
                                               });
    if (o->json)
      print_json({{"dry_run", false},
                  {"plan", restore::to_json(plan)},
                  {"result", restore::to_json(result)}});
    else
      print_result(result);
    if (o->json && result.exit_code != kExitOk)
      std::cerr << "lastgood: " << redact(result.message) << '\n';
    ctx.exit_code = result.exit_code;
  });
}

} // namespace lastgood::cli
