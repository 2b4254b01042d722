// hold add ID (--until DATE | --indefinite) --reason TEXT [--json]
// hold release ID --reason TEXT [--json]
// hold list [--json]

#include "cli/context.hpp"
#include "cli/flag_values.hpp"
#include "common/error.hpp"
#include "common/text_table.hpp"
#include "common/time.hpp"
#include "compliance/holds.hpp"

#include <CLI/CLI.hpp>
#include <iomanip>
#include <iostream>

namespace lastgood::cli {

namespace {

struct HoldOptions
{
  std::string id, until, reason;
  bool indefinite = false;
  bool json = false;
};

void print_holds(const std::vector<compliance::HoldRecord>& holds, TimePoint now)
{
  TextTable table({"HOLD", "BACKUP", "STATE", "UNTIL", "BY", "CREATED / REASON"});
  for (const auto& h : holds) {
    std::string created = h.created_at + "  " + h.reason;
    if (h.released_at)
      created += "  (released " + *h.released_at + " by " + h.released_by.value_or("?") + ": " +
                 h.release_reason.value_or("") + ")";
    table.add_row({std::to_string(h.id), h.backup_id, h.state(now), h.until.value_or("indefinite"),
                   h.created_by, created});
  }
  table.print(std::cout);
}

} // namespace

void register_hold_commands(CLI::App& app, Context& ctx)
{
  auto opts = std::make_shared<HoldOptions>();
  auto* hold = app.add_subcommand("hold", "legal holds: backups retention must never delete");
  hold->require_subcommand(1);

  auto* add = hold->add_subcommand("add", "put a backup under hold");
  add->add_option("ID", opts->id, "backup ID (or a unique prefix)")
      ->required()
      ->check(backup_id_value());
  auto* until = add->add_option("--until", opts->until,
                                "hold until this time (RFC 3339, or a date: midnight UTC)")
                    ->check(time_value());
  auto* indefinite = add->add_flag("--indefinite", opts->indefinite, "hold until released");
  until->excludes(indefinite);
  add->add_option("--reason", opts->reason, "why (case number, request...)")->required();
  add->add_flag("--json", opts->json, "print one JSON document");
  add->callback([&ctx, opts] {
    if (opts->until.empty() && !opts->indefinite)
      throw UsageError("give --until DATE or --indefinite");
    std::optional<TimePoint> until_time;
    if (!opts->until.empty()) {
      try {
        until_time = parse_rfc3339(opts->until);
      } catch (const ValidationError& e) {
        throw UsageError(std::string("--until: ") + e.what());
      }
    }
    const auto now = now_seconds();
    auto h = compliance::add_hold(ctx.catalog().db(), opts->id, until_time, opts->reason, now);
    if (opts->json)
      print_json(compliance::to_json(h, now));
    else
      std::cout << "hold " << h.id << " on " << h.backup_id << " until "
                << h.until.value_or("released") << " (by " << h.created_by << ")\n";
    ctx.exit_code = kExitOk;
  });

  auto* release = hold->add_subcommand("release", "release the active holds on a backup (audited)");
  release->add_option("ID", opts->id, "backup ID (or a unique prefix)")
      ->required()
      ->check(backup_id_value());
  release->add_option("--reason", opts->reason, "why it may go now")->required();
  release->add_flag("--json", opts->json, "print one JSON document");
  release->callback([&ctx, opts] {
    const auto now = now_seconds();
    auto released = compliance::release_holds(ctx.catalog().db(), opts->id, opts->reason, now);
    if (opts->json) {
      nlohmann::json out = nlohmann::json::array();
      for (const auto& h : released)
        out.push_back(compliance::to_json(h, now));
      print_json({{"released", out}});
    } else {
      for (const auto& h : released)
        std::cout << "released hold " << h.id << " on " << h.backup_id << '\n';
    }
    ctx.exit_code = kExitOk;
  });

  auto* list = hold->add_subcommand("list", "every hold: active, expired and released");
  list->add_flag("--json", opts->json, "print one JSON document");
  list->callback([&ctx, opts] {
    const auto now = now_seconds();
    auto holds = compliance::list_holds(ctx.catalog().db());
    if (opts->json) {
      nlohmann::json out = nlohmann::json::array();
      for (const auto& h : holds)
        out.push_back(compliance::to_json(h, now));
      print_json({{"holds", out}});
    } else {
      print_holds(holds, now);
    }
    ctx.exit_code = kExitOk;
  });
}

} // namespace lastgood::cli
