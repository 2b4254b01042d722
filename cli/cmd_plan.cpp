// plan --target-time T | --target-lsn L | --target-xid X | --target immediate|latest
//      [--exclusive] [--cluster SYSID] [--timeline N|latest] [--backup ID] [--no-waldump] [--json]

#include "cli/context.hpp"
#include "cli/flag_values.hpp"
#include "common/cipher_pass.hpp"
#include "common/error.hpp"
#include "common/printable_name.hpp"
#include "restore/pitr_plan.hpp"

#include <CLI/CLI.hpp>
#include <iostream>

namespace lastgood::cli {

namespace {

struct PlanOptions
{
  std::string target_time, target_lsn, target_xid, target, cluster, timeline = "latest", backup;
  bool no_waldump = false;
  bool exclusive = false;
  bool json = false;
};

restore::PlanRequest make_request(const PlanOptions& o)
{
  restore::PlanRequest r;
  int targets =
      !o.target_time.empty() + !o.target_lsn.empty() + !o.target_xid.empty() + !o.target.empty();
  if (targets != 1)
    throw UsageError(
        "give exactly one of --target-time, --target-lsn, --target-xid, --target immediate|latest");
  if (o.exclusive && !o.target.empty())
    throw UsageError("--exclusive goes with --target-time, --target-lsn or --target-xid, not "
                     "--target " +
                     o.target);
  r.target.inclusive = !o.exclusive;
  try {
    if (!o.target_time.empty()) {
      r.target.kind = restore::TargetKind::Time;
      r.target.time = restore::parse_target_time(o.target_time);
    } else if (!o.target_lsn.empty()) {
      r.target.kind = restore::TargetKind::Lsn;
      r.target.lsn = pg::Lsn::parse(o.target_lsn);
    } else if (!o.target_xid.empty()) {
      r.target.kind = restore::TargetKind::Xid;
      r.target.xid = restore::parse_target_xid(o.target_xid);
    } else if (o.target == "immediate") {
      r.target.kind = restore::TargetKind::Immediate;
    } else if (o.target == "latest") {
      r.target.kind = restore::TargetKind::Latest;
    } else {
      throw UsageError("--target takes immediate or latest, not '" + o.target + "'");
    }
  } catch (const ValidationError& e) {
    throw UsageError(e.what());
  }
  if (const auto timeline = parse_timeline(o.timeline)) r.timeline = *timeline;
  if (!o.cluster.empty()) r.cluster = o.cluster;
  if (!o.backup.empty()) r.backup_id = o.backup;
  r.use_waldump = !o.no_waldump;
  return r;
}

void print_point(const char* label, const std::optional<restore::RecoveryPoint>& p)
{
  if (!p) return;
  std::cout << "  " << label << p->lsn.str() << " on timeline " << p->timeline;
  if (p->time) std::cout << ", " << *p->time;
  std::cout << "  (" << p->precision << ")\n";
}

void print_text(const restore::PitrPlan& plan)
{
  std::cout << "cluster " << plan.system_identifier << ", target "
            << restore::to_string(plan.target.kind);
  if (plan.target.time) std::cout << " " << restore::format_target_time(*plan.target.time);
  if (plan.target.lsn) std::cout << " " << plan.target.lsn->str();
  if (plan.target.xid) std::cout << " " << *plan.target.xid;
  if (!plan.target.inclusive) std::cout << " (exclusive: stop just before it)";
  std::cout << ", timeline " << plan.target_timeline << '\n';
  if (plan.transaction)
    std::cout << "  transaction " << plan.transaction->xid << " " << plan.transaction->kind
              << "s at " << plan.transaction->end_lsn.str() << " on timeline "
              << plan.transaction->timeline
              << (plan.transaction->time ? ", " + *plan.transaction->time : "") << '\n';
  if (plan.reachable) {
    const auto& b = *plan.backup;
    std::cout << "REACHABLE\n  base backup " << b.backup_id << " (" << b.status << ") at "
              << b.repository << ": " << printable_name(b.root_key) << "\n    start "
              << b.start_lsn.str() << " timeline " << b.timeline << ", consistent at "
              << b.stop_lsn.str() << (b.stop_time ? " (" + *b.stop_time + ")" : "") << '\n';
    std::cout << "  timelines\n";
    for (const auto& t : plan.timelines) {
      std::cout << "    " << t.timeline << ": from " << t.begin.str();
      if (t.switch_lsn) std::cout << " until the switch at " << t.switch_lsn->str();
      std::cout << ", " << t.segments << " segment(s) "
                << pg::wal_file_name(t.timeline, t.first_segno, plan.segment_size) << " .. "
                << pg::wal_file_name(t.timeline, t.last_segno, plan.segment_size) << '\n';
    }
    if (!plan.backup_wal.empty()) {
      std::cout << "  WAL the base backup carries itself, read from the restored pg_wal/ ("
                << plan.backup_wal.size() << ")\n";
      for (const auto& name : plan.backup_wal)
        std::cout << "    " << name << '\n';
    }
    std::cout << "  WAL files in replay order (" << plan.wal.size() << ")\n";
    for (const auto& f : plan.wal)
      std::cout << "    " << f.name << "  " << f.repository << ": " << printable_name(f.key)
                << '\n';
  } else {
    const auto& u = *plan.unreachable;
    std::cout << "UNREACHABLE (" << restore::to_string(u.reason) << ")\n  " << u.message << '\n';
    if (u.missing_name) std::cout << "  missing   " << *u.missing_name << '\n';
    print_point("nearest   ", u.nearest);
  }
  print_point("target    ", plan.target_point);
  print_point("earliest  ", plan.earliest);
  print_point("latest    ", plan.latest);
  for (const auto& w : plan.warnings)
    std::cout << "  WARNING " << w << '\n';
  for (const auto& n : plan.notes)
    std::cout << "  note: " << n << '\n';
}

} // namespace

void register_plan_command(CLI::App& app, Context& ctx)
{
  auto opts = std::make_shared<PlanOptions>();
  auto* plan = app.add_subcommand(
      "plan", "base backup and WAL chain for a point-in-time recovery, or why not");
  plan->add_option("--target-time", opts->target_time, "recover to this time (RFC 3339)")
      ->check(time_value());
  plan->add_option("--target-lsn", opts->target_lsn, "recover to this LSN (X/Y)")
      ->check(lsn_value());
  plan->add_option("--target-xid", opts->target_xid,
                   "recover to this transaction's commit (recovery_target_xid)")
      ->check(xid_value());
  plan->add_flag("--exclusive", opts->exclusive,
                 "stop just before the target (recovery_target_inclusive = off)");
  plan->add_option("--target", opts->target,
                   "immediate (consistency only) or latest (all archived WAL)");
  plan->add_option("--cluster", opts->cluster,
                   "cluster (system identifier); needed when the catalog has several")
      ->check(system_identifier_value());
  plan->add_option("--timeline", opts->timeline, "recovery target timeline: N or latest (default)")
      ->check(timeline_value());
  plan->add_option("--backup", opts->backup, "use only this base backup")->check(backup_id_value());
  plan->add_flag("--no-waldump", opts->no_waldump, "do not read commit times with pg_waldump");
  plan->add_flag("--json", opts->json, "print one JSON document");
  plan->callback([&ctx, opts] {
    auto request = make_request(*opts);
    request.cipher_pass = cipher_pass_lookup(ctx.config());
    auto result = restore::plan_pitr(ctx.catalog().db(), request);
    if (opts->json)
      print_json(restore::to_json(result));
    else
      print_text(result);
    ctx.exit_code = result.reachable ? kExitOk : kExitProblem;
  });
}

} // namespace lastgood::cli
