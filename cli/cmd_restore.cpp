// restore ID | --backup ID | --last-good --database DB --to|--dbname CONNSTR [--as NAME] [--table
// SCHEMA.TABLE]...
//         [--schema NAME] [--schema-only] [--data-only] [--jobs N]
//         [--drop-existing [--no-safety-snapshot] [--terminate-connections]] [--dry-run] [--json]
// restore --rollback RUN --to CONNSTR [--terminate-connections] [--json]
// restore --cleanup --to CONNSTR [--json]

#include "catalog/backup_queries.hpp"
#include "cli/cmd_restore_physical.hpp"
#include "cli/context.hpp"
#include "cli/flag_spellings.hpp"
#include "cli/flag_values.hpp"
#include "common/error.hpp"
#include "common/printable_name.hpp"
#include "common/redact.hpp"
#include "compliance/webhook.hpp"
#include "restore/logical_restore.hpp"
#include "restore/pick.hpp"
#include "restore/restore_cleanup.hpp"
#include "restore/restore_plan.hpp"
#include "restore/rollback.hpp"
#include "restore/target_server.hpp"

#include <CLI/CLI.hpp>
#include <iostream>

namespace lastgood::cli {

namespace {

struct RestoreCliOptions
{
  std::string id;
  bool last_good = false;
  std::string database, source;
  restore::LogicalRestoreOptions restore;
  std::string as, schema;
  bool dry_run = false;
  bool json = false;
  bool no_safety_snapshot = false;
  std::int64_t rollback = 0;
  bool cleanup = false;
  FlagSpellings to; // --to, --dbname
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
  if (!o.source.empty()) request.source = o.source;
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

void print_plan(const restore::RestorePlan& p)
{
  const auto& b = p.backup;
  std::cout << "restore plan (dry run: nothing is changed)\n"
            << "  backup     " << b.backup_id << "  (" << b.repository << ": "
            << printable_name(b.root_key) << ")\n"
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
}

// Read-only look at the target for --dry-run: why it would not run ("" when it
// could) with the exit code, and the sizes that matter.
struct DryRunLook
{
  std::string refusal;
  int code = kExitOk;
  std::optional<std::int64_t> existing_size;
};

DryRunLook look_at_target(const restore::RestorePlan& p)
{
  DryRunLook look;
  try {
    restore::TargetServer server(p.options.to, p.options.to_flag);
    if (!server.database_exists(p.target_database)) return look;
    look.existing_size = server.database_size(p.target_database);
    if (!p.options.drop_existing) {
      look.refusal = "database " + p.target_database +
                     " exists on the target; restore --as NEWNAME, or --drop-existing to swap it "
                     "out (it is kept under another name)";
      look.code = kExitUsage;
      return look;
    }
    auto sessions = server.sessions(p.target_database);
    if (!sessions.empty() && !p.options.terminate_connections) {
      look.refusal = "database " + p.target_database + " has " +
                     restore::describe_sessions(sessions) +
                     " connected; stop them or add --terminate-connections";
      look.code = kExitUsage;
    }
  } catch (const Error& e) {
    look.refusal = redact(e.what());
    look.code = e.exit_code();
  } catch (const std::exception& e) {
    look.refusal = redact(e.what());
    look.code = kExitFailed;
  }
  return look;
}

nlohmann::json sizes_json(const restore::RestorePlan& p, const DryRunLook& look)
{
  return {{"backup_bytes", p.backup.size_bytes},
          {"existing_database_bytes",
           look.existing_size ? nlohmann::json(*look.existing_size) : nlohmann::json()}};
}

void print_sizes(const restore::RestorePlan& p, const DryRunLook& look)
{
  std::cout << "  size       backup " << human_bytes(p.backup.size_bytes)
            << " (compressed; the restored database is usually several times larger)";
  if (look.existing_size) {
    std::cout << "\n             existing " << p.target_database << " "
              << human_bytes(static_cast<std::uint64_t>(*look.existing_size));
    if (p.options.drop_existing)
      std::cout << ": it stays on the server (renamed aside), so room for both is needed"
                << (p.options.safety_snapshot
                        ? "; its safety snapshot goes to repository " + p.backup.repository
                        : std::string());
  }
  std::cout << '\n';
}

void print_result(const restore::LogicalRestoreResult& r)
{
  for (const auto& c : r.cleaned_up)
    std::cerr << "cleaned up after an earlier crash: " << c << '\n';
  for (const auto& n : r.notes)
    std::cout << "note: " << n << '\n';
  for (const auto& f : r.findings)
    std::cout << "  " << verifier::to_string(f.severity) << " " << f.kind
              << (f.subject.empty() ? "" : " " + printable_name(f.subject)) << ": "
              << with_printable_name(redact(f.message), f.subject) << '\n';
  if (r.outcome == "pass")
    std::cout << redact(r.message) << " in " << static_cast<int>(r.seconds + 0.5) << " s\n";
  else
    std::cerr << "lastgood: " << redact(r.message) << " (restore run " << r.run_id << ")\n";
}

void run_rollback_or_cleanup(Context& ctx, const RestoreCliOptions& o)
{
  if (o.rollback != 0 && o.cleanup) throw UsageError("give --rollback RUN or --cleanup, not both");
  if (!o.id.empty() || o.last_good || o.dry_run || o.restore.drop_existing)
    throw UsageError(std::string(o.cleanup ? "--cleanup" : "--rollback") +
                     " takes only --to (and --terminate-connections, --json)");
  auto& db = ctx.catalog().db();
  if (o.cleanup) {
    auto done = restore::clean_up_interrupted_restores(
        db, restore::TargetServer(o.restore.to, o.restore.to_flag));
    if (o.json)
      print_json({{"cleaned_up", done}});
    else if (done.empty())
      std::cout << "no interrupted restore runs of this host against that server\n";
    for (const auto& line : done)
      if (!o.json) std::cout << line << '\n';
    return;
  }
  restore::RollbackRequest request;
  request.run_id = o.rollback;
  request.to = o.restore.to;
  request.to_flag = o.restore.to_flag;
  request.terminate_connections = o.restore.terminate_connections;
  auto result = restore::roll_back_restore(db, request);
  if (o.json) {
    print_json(restore::to_json(result));
    return;
  }
  std::cout << redact(result.message) << '\n';
  if (result.terminated_sessions)
    std::cout << "  terminated " << result.terminated_sessions << " sessions\n";
  if (!result.drop_statements.empty()) {
    std::cout << "  nothing was dropped; when you are sure, on the target server:\n";
    for (const auto& statement : result.drop_statements)
      std::cout << "    " << statement << '\n';
  }
}

} // namespace

void register_restore_command(CLI::App& app, Context& ctx)
{
  auto o = std::make_shared<RestoreCliOptions>();
  auto physical = std::make_shared<PhysicalRestoreCli>();
  auto* cmd = app.add_subcommand("restore",
                                 "restore a logical backup into a new database, checked before it "
                                 "is named; or (--pgdata) a base backup + WAL to a point in time");
  cmd->add_option("ID", o->id, "the backup (an ID or an unambiguous prefix)")
      ->check(backup_id_value());
  cmd->add_flag("--last-good", o->last_good, "the last known good backup of --database");
  cmd->add_option("--database", o->database, "with --last-good: of this database");
  cmd->add_option(
      "--source", o->source,
      "with --last-good: dumped from this source (needed when several hold the database)");
  o->to = FlagSpellings(*cmd, o->restore.to, {"--to", "--dbname"},
                        "target server connection string (logical restore)");
  cmd->add_flag("--drop-existing", o->restore.drop_existing,
                "swap out an existing database of that name (renamed aside and kept)");
  cmd->add_flag("--no-safety-snapshot", o->no_safety_snapshot,
                "with --drop-existing: no pg_dump of the existing database first");
  cmd->add_flag("--terminate-connections", o->restore.terminate_connections,
                "disconnect sessions on the database being swapped instead of refusing");
  cmd->add_option("--rollback", o->rollback,
                  "swap back the database that restore run RUN renamed aside");
  cmd->add_flag("--cleanup", o->cleanup,
                "close restore runs interrupted by a crash and drop their temporary databases");
  // Physical restore / PITR (cmd_restore_physical.cpp).
  cmd->add_option("--pgdata", physical->pgdata, "physical restore: into this empty data directory");
  cmd->add_option("--target-time", physical->target_time,
                  "with --pgdata: recover to this time (RFC 3339)")
      ->check(time_value());
  cmd->add_option("--target-lsn", physical->target_lsn, "with --pgdata: recover to this LSN (X/Y)")
      ->check(lsn_value());
  cmd->add_option("--target-xid", physical->target_xid,
                  "with --pgdata: recover to this transaction's commit (recovery_target_xid)")
      ->check(xid_value());
  cmd->add_flag("--exclusive", physical->exclusive,
                "with --pgdata: stop just before the target (recovery_target_inclusive = off)");
  cmd->add_flag("--immediate", physical->immediate,
                "with --pgdata: stop as soon as the backup is consistent");
  cmd->add_option("--target", physical->target,
                  "with --pgdata: immediate (same as --immediate) or latest (all archived WAL)")
      ->check(CLI::IsMember({"immediate", "latest"}));
  cmd->add_option("--cluster", physical->cluster, "with --pgdata: the cluster (system identifier)")
      ->check(system_identifier_value());
  cmd->add_option("--timeline", physical->timeline,
                  "with --pgdata: recovery_target_timeline, N or latest (default)")
      ->check(timeline_value());
  cmd->add_option("--backup", physical->backup,
                  "the backup, as ID gives it; with --pgdata: use this base backup")
      ->check(backup_id_value());
  cmd->add_option("--target-action", physical->target_action,
                  "with --pgdata: pause (default) | promote | shutdown");
  cmd->add_option("--run-as", physical->run_as,
                  "with --pgdata as root: the server's OS user (default postgres)");
  cmd->add_flag("--start", physical->start,
                "with --pgdata: start the server and wait for the target");
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
    if (o->restore.to.empty())
      throw UsageError("restore needs --to CONNSTR (logical) or --pgdata DIR (physical)");
    o->restore.to_flag = o->to.given();
    if (!physical->target.empty() || physical->immediate || !physical->target_time.empty() ||
        !physical->target_lsn.empty() || !physical->target_xid.empty() || physical->exclusive)
      throw UsageError("--target, --immediate, --target-time, --target-lsn, --target-xid and "
                       "--exclusive are for physical restores (--pgdata); a logical restore "
                       "restores the whole dump");
    if (!physical->backup.empty()) {
      if (!o->id.empty() && o->id != physical->backup)
        throw UsageError("give the backup once: as ID or as --backup ID");
      o->id = physical->backup;
    }
    if (o->rollback != 0 || o->cleanup) {
      run_rollback_or_cleanup(ctx, *o);
      return;
    }
    o->restore.safety_snapshot = !o->no_safety_snapshot;
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
      auto look = look_at_target(plan);
      if (o->json) {
        auto doc = restore::to_json(plan);
        doc["would_not_run"] =
            look.refusal.empty() ? nlohmann::json() : nlohmann::json(look.refusal);
        doc["sizes"] = sizes_json(plan, look);
        print_json({{"dry_run", true}, {"plan", doc}, {"result", nullptr}});
      } else {
        print_plan(plan);
        print_sizes(plan, look);
        if (!look.refusal.empty()) std::cout << "  would not run: " << look.refusal << '\n';
      }
      ctx.exit_code = look.code;
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
    if (result.outcome != "pass")
      compliance::notify(ctx.config().notify, "restore failed (run " +
                                                  std::to_string(result.run_id) +
                                                  "): " + redact(result.message));
    ctx.exit_code = result.exit_code;
  });
}

} // namespace lastgood::cli
