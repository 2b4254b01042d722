// report [--format text|json|markdown|html] [--output FILE] [--as-of TIME] [--period D] [--json]
// metrics [--output FILE]

#include "cli/context.hpp"
#include "cli/flag_values.hpp"
#include "common/atomic_file.hpp"
#include "common/error.hpp"
#include "common/time.hpp"
#include "compliance/publish.hpp"
#include "compliance/report_facts.hpp"
#include "compliance/webhook.hpp"

#include <CLI/CLI.hpp>
#include <iostream>

namespace lastgood::cli {

namespace {

struct ReportOptions
{
  std::string format = "text";
  std::string output;
  std::string as_of;
  std::string period = "30d";
  bool json = false;
};

void emit(const std::string& output, const std::string& content)
{
  if (output.empty() || output == "-")
    std::cout << content;
  else
    write_file_atomically(output, content);
}

TimePoint as_of_time(const std::string& text)
{
  if (text.empty()) return now_seconds();
  try {
    return parse_rfc3339(text);
  } catch (const ValidationError& e) {
    throw UsageError(std::string("--as-of: ") + e.what());
  }
}

} // namespace

void register_report_commands(CLI::App& app, Context& ctx)
{
  auto o = std::make_shared<ReportOptions>();
  auto* report = app.add_subcommand(
      "report", "compliance report: RPO, restore tests, RTO, PITR window, retention, holds");
  report->add_option("--format", o->format, "text | json | markdown | html")
      ->check(CLI::IsMember({"text", "json", "markdown", "html"}));
  report->add_option("--output", o->output, "write to this file instead of stdout");
  report->add_option("--as-of", o->as_of, "judge as of this time (RFC 3339; default now)")
      ->check(time_value());
  report
      ->add_option("--period", o->period,
                   "deletions and events counted over this long before --as-of (default 30d)")
      ->check(duration_value());
  report->add_flag("--json", o->json, "same as --format json");
  report->callback([&ctx, o] {
    const auto as_of = as_of_time(o->as_of);
    std::chrono::seconds period;
    try {
      period = parse_duration(o->period);
    } catch (const ValidationError& e) {
      throw UsageError(std::string("--period: ") + e.what());
    }
    const auto& config = ctx.config();
    auto facts = compliance::gather_facts(ctx.catalog().db(), as_of, as_of - period);
    auto judged = compliance::judge(facts, config);
    const auto format = o->json ? std::string("json") : o->format;
    emit(o->output, compliance::render_report(judged, format));
    if (judged.overall == compliance::Verdict::Fail)
      compliance::notify(config.notify,
                         "compliance report FAIL: " + compliance::failing_scopes(judged));
    ctx.exit_code = judged.overall == compliance::Verdict::Fail ? kExitProblem : kExitOk;
  });

  auto metrics_output = std::make_shared<std::string>();
  auto* metrics = app.add_subcommand(
      "metrics", "Prometheus text exposition (for node_exporter's textfile collector)");
  metrics->add_option("--output", *metrics_output,
                      "write to this file (atomically) instead of stdout");
  auto metrics_as_of = std::make_shared<std::string>();
  metrics->add_option("--as-of", *metrics_as_of, "judge as of this time (RFC 3339; default now)")
      ->check(time_value());
  metrics->callback([&ctx, metrics_output, metrics_as_of] {
    emit(*metrics_output, compliance::render_current_metrics(ctx.catalog().db(), ctx.config(),
                                                             as_of_time(*metrics_as_of)));
    ctx.exit_code = kExitOk;
  });
}

} // namespace lastgood::cli
