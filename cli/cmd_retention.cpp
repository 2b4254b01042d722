// retention plan [--json]
// retention apply [--yes] [--json]

#include "cli/context.hpp"
#include "common/error.hpp"
#include "common/printable_name.hpp"
#include "common/text_table.hpp"
#include "common/time.hpp"
#include "compliance/retention_apply.hpp"
#include "compliance/retention_plan.hpp"
#include "restore/pick.hpp"

#include <CLI/CLI.hpp>
#include <iomanip>
#include <iostream>
#include <unistd.h>

namespace lastgood::cli {

namespace {

struct RetentionOptions
{
  bool json = false;
  bool yes = false;
};

compliance::RetentionPlan make_plan(Context& ctx)
{
  auto& db = ctx.catalog().db();
  // "Last known good" is pick's answer, the same one `lastgood pick` gives.
  compliance::LastGoodLookup last_good =
      [&db](const compliance::GoodScope& scope) -> std::optional<std::string> {
    restore::PickRequest request;
    request.database = scope.database;
    request.source = scope.source;
    request.cluster = scope.system_identifier;
    auto picked = restore::pick_last_good(db, request);
    if (!picked.backup) return std::nullopt;
    return picked.backup->backup_id;
  };
  return compliance::plan_retention(db, ctx.config().retention, last_good, now_seconds());
}

void print_plan(const compliance::RetentionPlan& plan)
{
  // The reasons go under each backup's line, in the widths of the whole plan.
  TextTable table({"ACTION", "BACKUP", "TIME", "STATUS", "SIZE", "GROUP"});
  for (std::size_t i = 0; i < plan.backups.size(); ++i) {
    const auto& b = plan.backups[i];
    const auto& d = plan.decisions[i];
    table.add_row({d.keep ? "keep" : "DELETE", b.backup_id, b.time ? format_rfc3339(*b.time) : "?",
                   b.status, human_bytes(b.size_bytes), d.group});
  }
  const auto lines = table.lines();
  std::cout << lines.front() << '\n';
  for (std::size_t i = 0; i < plan.decisions.size(); ++i) {
    std::cout << lines[i + 1] << '\n';
    for (const auto& r : plan.decisions[i].reasons)
      std::cout << "        - " << r << '\n';
  }
  for (const auto& r : plan.wal_decision.delete_ranges)
    std::cout << "WAL DELETE " << r.repository << ": " << r.first << ".." << r.last << " ("
              << r.segments.size() << " segments, " << human_bytes(r.bytes) << ")\n";
  for (const auto& n : plan.wal_decision.notes)
    std::cout << "WAL " << n << '\n';
  std::cout << "would delete " << plan.backups_to_delete << " backups and "
            << plan.wal_segments_to_delete << " WAL segments, freeing "
            << human_bytes(plan.bytes_freed) << '\n';
}

bool confirmed(const compliance::RetentionPlan& plan, bool yes)
{
  if (yes) return true;
  if (::isatty(STDIN_FILENO) != 1)
    throw UsageError(
        "retention apply deletes backups: pass --yes to confirm when not running on a terminal "
        "(see 'lastgood retention plan' for what it would delete)");
  std::cerr << "Delete " << plan.backups_to_delete << " backups and " << plan.wal_segments_to_delete
            << " WAL segments (" << human_bytes(plan.bytes_freed) << ")? [y/N] " << std::flush;
  std::string answer;
  std::getline(std::cin, answer);
  return answer == "y" || answer == "Y" || answer == "yes";
}

void print_result(const compliance::ApplyResult& r)
{
  for (const auto& id : r.deleted_backups)
    std::cout << "deleted " << id << '\n';
  for (const auto& id : r.skipped_backups)
    std::cout << "kept    " << id << " (put under hold since the plan)\n";
  for (const auto& id : r.partly_deleted_backups)
    std::cout << "PARTLY  " << id
              << " (some objects were refused; it stays in the catalog as not deleted)\n";
  std::cout << "deleted " << r.deleted_backups.size() << " backups and " << r.wal_segments_deleted
            << " WAL segments, freed " << human_bytes(r.bytes_freed);
  if (r.objects_already_gone)
    std::cout << "; " << r.objects_already_gone << " objects were already gone";
  std::cout << '\n';
  for (const auto& x : r.refused)
    std::cout << "REFUSED " << x.repository << ": " << printable_name(x.key) << " (" << x.subject
              << "): " << x.message << "\n        what to do: " << x.what_to_do << '\n';
}

} // namespace

void register_retention_commands(CLI::App& app, Context& ctx)
{
  auto opts = std::make_shared<RetentionOptions>();
  auto* retention =
      app.add_subcommand("retention", "what the retention policy deletes, and doing it");
  retention->require_subcommand(1);
  auto* plan =
      retention->add_subcommand("plan", "every backup with keep or delete and why; WAL to delete");
  plan->add_flag("--json", opts->json, "print one JSON document");
  plan->callback([&ctx, opts] {
    auto p = make_plan(ctx);
    if (opts->json)
      print_json(compliance::to_json(p));
    else
      print_plan(p);
    ctx.exit_code = kExitOk;
  });
  auto* apply =
      retention->add_subcommand("apply", "delete what the plan says (audited; history is kept)");
  apply->add_flag("--yes", opts->yes, "do not ask (required when not on a terminal)");
  apply->add_flag("--json", opts->json, "print one JSON document");
  apply->callback([&ctx, opts] {
    auto p = make_plan(ctx);
    const bool work = p.backups_to_delete > 0 || p.wal_segments_to_delete > 0;
    if (work && !confirmed(p, opts->yes)) {
      std::cerr << "nothing deleted\n";
      if (opts->json) print_json({{"plan", compliance::summary_json(p)}, {"applied", false}});
      ctx.exit_code = kExitOk;
      return;
    }
    auto result = compliance::apply_retention(ctx.catalog().db(), p);
    if (opts->json)
      print_json({{"plan", compliance::summary_json(p)},
                  {"applied", true},
                  {"result", compliance::to_json(result)}});
    else
      print_result(result);
    ctx.exit_code = result.refused.empty() ? kExitOk : kExitProblem;
  });
}

} // namespace lastgood::cli
