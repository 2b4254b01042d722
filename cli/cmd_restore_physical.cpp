// restore --pgdata DIR (--target-time T | --target-lsn L | --target-xid X | --last-good
//         | --immediate | --target immediate|latest) [--exclusive] [--cluster SYSID] [--timeline
//         N|latest] [--backup ID]
//         [--target-action pause|promote|shutdown] [--start]
//         [--dry-run] [--json]
// Wired into `restore` (cmd_restore.cpp) when --pgdata is given.

#include "cli/cmd_restore_physical.hpp"

#include "cli/flag_values.hpp"
#include "cli/recovery_point_text.hpp"
#include "common/cipher_pass.hpp"
#include "common/error.hpp"
#include "common/printable_name.hpp"
#include "common/redact.hpp"
#include "common/text_table.hpp"
#include "compliance/webhook.hpp"
#include "pg/child_process.hpp"
#include "pg/recovery_config.hpp"
#include "restore/physical_restore.hpp"

#include <filesystem>
#include <iostream>
#include <unistd.h>

namespace lastgood::cli {

namespace {

// Where recovery got to and, when the server is still running (--start without
// --target-action shutdown), how to connect to it and how to stop it.
void print_recovery_point(const nlohmann::json& point,
                          const restore::PhysicalRestoreOptions& options, bool server_running)
{
  const auto fields = recovery_point_fields(point);
  if (!fields.empty()) {
    std::cout << "  reached\n";
    TextTable table;
    for (const auto& [label, value] : fields)
      table.add_row({label, value});
    table.print(std::cout, "    ");
  }
  if (!server_running || !point.is_object() || !point.contains("port")) return;
  const std::string port = point["port"].dump();
  const std::string socket_dir = point.value("socket_dir", "/tmp");
  // As root, the server runs as --run-as (default postgres): only that user may stop it, and
  // the backup's own pg_hba.conf most likely lets it in (peer or trust on the socket).
  const std::string as_owner =
      ::geteuid() == 0
          ? "runuser -u " + (options.run_as.empty() ? std::string("postgres") : options.run_as) +
                " -- "
          : "";
  std::cout << "  server     running on port " << port << " (socket directory " << socket_dir
            << ")";
  if (point.contains("log")) std::cout << ", log " << point["log"].get<std::string>();
  std::cout << "\n  connect    " << as_owner << "psql -h " << pg::shell_quote(socket_dir) << " -p "
            << port << " -d postgres\n"
            << "  stop       " << as_owner << pg::shell_quote(pg::find_pg_program("pg_ctl"))
            << " -D " << pg::shell_quote(options.pgdata) << " -m fast stop\n";
}

} // namespace

void run_physical_restore_command(Context& ctx, const PhysicalRestoreCli& o)
{
  restore::PhysicalRestoreOptions options;
  options.pgdata = std::filesystem::absolute(o.pgdata).lexically_normal().string();
  // --immediate and --target immediate are one spelling each of the same target.
  const bool immediate = o.immediate || o.target == "immediate";
  int targets = !o.target_time.empty() + !o.target_lsn.empty() + !o.target_xid.empty() + immediate +
                (o.target == "latest");
  if (targets > 1)
    throw UsageError("give one of --target-time, --target-lsn, --target-xid, --target "
                     "immediate|latest (--immediate) (or none for --last-good)");
  if (o.exclusive && o.target_time.empty() && o.target_lsn.empty() && o.target_xid.empty())
    throw UsageError("--exclusive goes with --target-time, --target-lsn or --target-xid");
  options.plan.target.inclusive = !o.exclusive;
  if (!o.target_time.empty()) {
    options.plan.target.kind = restore::TargetKind::Time;
    options.plan.target.time = restore::parse_target_time(o.target_time);
    options.target_time = o.target_time;
  } else if (!o.target_lsn.empty()) {
    options.plan.target.kind = restore::TargetKind::Lsn;
    options.plan.target.lsn = pg::Lsn::parse(o.target_lsn);
  } else if (!o.target_xid.empty()) {
    options.plan.target.kind = restore::TargetKind::Xid;
    options.plan.target.xid = restore::parse_target_xid(o.target_xid);
  } else if (immediate) {
    options.plan.target.kind = restore::TargetKind::Immediate;
  } else if (o.target == "latest") {
    options.plan.target.kind = restore::TargetKind::Latest;
  } else if (!o.last_good) {
    throw UsageError("restore --pgdata needs --target-time, --target-lsn, --target-xid, --target "
                     "immediate|latest (--immediate) or --last-good (the latest point the archive "
                     "reaches)");
  }
  if (!o.cluster.empty()) options.plan.cluster = o.cluster;
  if (const auto timeline = parse_timeline(o.timeline)) options.plan.timeline = *timeline;
  if (!o.backup.empty()) options.plan.backup_id = o.backup;
  if (o.target_action != "pause" && o.target_action != "promote" && o.target_action != "shutdown")
    throw UsageError("--target-action is pause, promote or shutdown");
  options.target_action = o.target_action;
  options.start = o.start;
  options.run_as = o.run_as.empty() ? ctx.config().verify.run_as : o.run_as;
  const auto catalog_path = catalog::resolve_catalog_path(ctx.catalog_flag);
  options.catalog_path = catalog::is_postgres_location(catalog_path)
                             ? catalog_path
                             : std::filesystem::absolute(catalog_path).string();
  if (!ctx.config_flag.empty())
    options.config_path = std::filesystem::absolute(ctx.config_flag).string();
  options.cipher_pass = cipher_pass_lookup(ctx.config());
  options.plan.cipher_pass = options.cipher_pass;

  auto& db = ctx.catalog().db();
  auto result = o.dry_run ? restore::dry_run_physical_restore(db, options)
                          : restore::run_physical_restore(db, options);
  if (o.json) {
    auto doc = restore::to_json(result);
    doc["dry_run"] = o.dry_run;
    print_json(doc);
  } else {
    const auto& p = result.plan;
    if (p.backup) {
      std::cout << (o.dry_run ? "physical restore plan (dry run: nothing is changed)\n"
                              : "physical restore\n")
                << "  backup     " << p.backup->backup_id << "  (" << p.backup->repository << ": "
                << printable_name(p.backup->root_key) << ", " << p.backup->status << ")\n"
                << "  target     " << restore::to_string(p.target.kind)
                << (options.target_time ? " " + *options.target_time : "")
                << (p.target.lsn ? " " + p.target.lsn->str() : "")
                << (p.target.xid ? " " + std::to_string(*p.target.xid) : "")
                << (p.target.inclusive ? "" : " (exclusive)") << ", timeline " << p.target_timeline
                << '\n'
                << "  wal        " << p.wal.size() << " archived files\n"
                << "  pgdata     " << options.pgdata << '\n';
      for (const auto& w : p.warnings)
        std::cout << "  warning: " << w << '\n';
    }
    if (!result.restore_command.empty())
      std::cout << "  restore_command = " << result.restore_command << '\n';
    print_recovery_point(result.recovery_point, options,
                         options.start && result.outcome == "pass" &&
                             options.target_action != "shutdown");
    if (result.outcome == "pass")
      std::cout << result.message << '\n';
    else if (result.outcome != "planned")
      std::cerr << "lastgood: " << redact(result.message) << '\n';
  }
  if (!o.dry_run &&
      (result.outcome == "fail" || result.outcome == "error" || result.outcome == "unreachable"))
    compliance::notify(ctx.config().notify, "physical restore into " + options.pgdata +
                                                " failed: " + redact(result.message));
  ctx.exit_code = result.exit_code;
}

} // namespace lastgood::cli
