// hold add ID (--until DATE | --indefinite) --reason TEXT [--json]
// hold release ID --reason TEXT [--json]
// hold list [--json]

#include "cli/context.hpp"
#include "common/error.hpp"
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

void print_hold(const compliance::HoldRecord& h, TimePoint now)
{
  std::cout << std::left << std::setw(6) << h.id << std::setw(34) << h.backup_id << std::setw(10)
            << h.state(now) << std::setw(22) << h.until.value_or("indefinite") << std::setw(12)
            << h.created_by << h.created_at << "  " << h.reason;
  if (h.released_at)
    std::cout << "  (released " << *h.released_at << " by " << h.released_by.value_or("?") << ": "
              << h.release_reason.value_or("") << ")";
  std::cout << '\n';
}

} // namespace

void register_hold_commands(CLI::App& app, Context& ctx)
{
  auto opts = std::make_shared<HoldOptions>();
  auto* hold = app.add_subcommand("hold", "legal holds: backups retention must never delete");
  hold->require_subcommand(1);

  auto* add = hold->add_subcommand("add", "put a backup under hold");
  add->add_option("ID", opts->id, "backup ID (or a unique prefix)")->required();
  auto* until = add->add_option("--until", opts->until,
                                "hold until this time (RFC 3339, or a date: midnight UTC)");
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
  release->add_option("ID", opts->id, "backup ID (or a unique prefix)")->required();
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
      std::cout << std::left << std::setw(6) << "HOLD" << std::setw(34) << "BACKUP" << std::setw(10)
                << "STATE" << std::setw(22) << "UNTIL" << std::setw(12) << "BY"
                << "CREATED / REASON\n";
      for (const auto& h : holds)
        print_hold(h, now);
    }
    ctx.exit_code = kExitOk;
  });
}

} // namespace lastgood::cli
