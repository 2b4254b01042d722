// status [--source S] [--json]
// check

#include "cli/context.hpp"
#include "common/error.hpp"
#include "common/redact.hpp"
#include "common/time.hpp"
#include "compliance/check_plugin.hpp"
#include "compliance/report_facts.hpp"
#include "compliance/status.hpp"

#include <CLI/CLI.hpp>
#include <iostream>

namespace lastgood::cli {

namespace {

// The report's default period (`report --period`): deletions and events counted over it.
constexpr auto kPeriod = std::chrono::days(30);

struct StatusOptions
{
  std::string source;
  bool json = false;
};

} // namespace

void register_status_commands(CLI::App& app, Context& ctx)
{
  auto o = std::make_shared<StatusOptions>();
  auto* status = app.add_subcommand(
      "status", "one screen per database and cluster: newest backup, newest restorable backup, "
                "last test restore, PITR window, problems; exit 3 when the report would FAIL");
  status->add_option("--source", o->source,
                     "only the databases of this source ('default': of no named source)");
  status->add_flag("--json", o->json, "one JSON document");
  status->callback([&ctx, o] {
    const auto as_of = now_seconds();
    const auto facts = compliance::gather_facts(ctx.catalog().db(), as_of, as_of - kPeriod);
    const auto judged = compliance::judge(facts, ctx.config());
    const auto summary = compliance::summarize(
        judged, o->source.empty() ? std::nullopt : std::optional<std::string>(o->source));
    if (o->json)
      print_json(compliance::render_status_json(summary));
    else
      std::cout << compliance::render_status_text(summary);
    ctx.exit_code = summary.overall == compliance::Verdict::Fail ? kExitProblem : kExitOk;
  });

  auto* check = app.add_subcommand(
      "check", "monitoring-plugin check (Nagios, Icinga): LASTGOOD OK|WARNING|CRITICAL|UNKNOWN "
               "with perfdata; exit 0/1/2/3");
  check->callback([&ctx] {
    compliance::PluginResult result;
    // A plugin that cannot judge says UNKNOWN (exit 3) on stdout, whatever stopped it.
    try {
      const auto as_of = now_seconds();
      const auto facts = compliance::gather_facts(ctx.catalog().db(), as_of, as_of - kPeriod);
      result = compliance::check_plugin_result(compliance::judge(facts, ctx.config()));
    } catch (const std::exception& e) {
      result = compliance::check_plugin_unknown(redact(e.what()));
    }
    std::cout << result.output;
    ctx.exit_code = result.state;
  });
}

} // namespace lastgood::cli
