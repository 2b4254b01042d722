// report [--format text|json|markdown|html] [--output FILE] [--as-of TIME] [--period D] [--json]
// metrics [--output FILE]

#include "cli/context.hpp"
#include "common/error.hpp"
#include "common/time.hpp"
#include "compliance/metrics.hpp"
#include "compliance/report_facts.hpp"
#include "compliance/report_render.hpp"
#include "compliance/webhook.hpp"

#include <CLI/CLI.hpp>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <unistd.h>

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

// Written beside the target and renamed over it: a reader (node_exporter's
// textfile collector, a web server) never sees half a file.
void write_atomically(const std::string& path, const std::string& content)
{
  auto tmp = path + ".tmp." + std::to_string(::getpid());
  {
    std::ofstream out(tmp, std::ios::binary | std::ios::trunc);
    out << content;
    out.close();
    if (!out)
      throw Error("could not write " + tmp + " (check the directory exists and is writable)");
  }
  std::error_code ec;
  std::filesystem::rename(tmp, path, ec);
  if (ec) {
    std::filesystem::remove(tmp, ec);
    throw Error("could not rename " + tmp + " to " + path + ": " + ec.message());
  }
}

void emit(const std::string& output, const std::string& content)
{
  if (output.empty() || output == "-")
    std::cout << content;
  else
    write_atomically(output, content);
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
  report->add_option("--as-of", o->as_of, "judge as of this time (RFC 3339; default now)");
  report->add_option("--period", o->period,
                     "deletions and events counted over this long before --as-of (default 30d)");
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
    if (format == "json")
      emit(o->output, compliance::render_json(judged).dump(2) + "\n");
    else if (format == "markdown")
      emit(o->output, compliance::render_markdown(judged));
    else if (format == "html")
      emit(o->output, compliance::render_html(judged));
    else
      emit(o->output, compliance::render_text(judged));
    if (judged.overall == compliance::Verdict::Fail) {
      std::string failing;
      for (const auto& s : judged.scopes)
        if (s.overall == compliance::Verdict::Fail)
          failing += (failing.empty() ? "" : ", ") + compliance::scope_title(*s.scope);
      compliance::notify(config.notify, "compliance report FAIL: " +
                                            (failing.empty() ? "no backups cataloged" : failing));
    }
    ctx.exit_code = judged.overall == compliance::Verdict::Fail ? kExitProblem : kExitOk;
  });

  auto metrics_output = std::make_shared<std::string>();
  auto* metrics = app.add_subcommand(
      "metrics", "Prometheus text exposition (for node_exporter's textfile collector)");
  metrics->add_option("--output", *metrics_output,
                      "write to this file (atomically) instead of stdout");
  auto metrics_as_of = std::make_shared<std::string>();
  metrics->add_option("--as-of", *metrics_as_of, "judge as of this time (RFC 3339; default now)");
  metrics->callback([&ctx, metrics_output, metrics_as_of] {
    const auto as_of = as_of_time(*metrics_as_of);
    auto& db = ctx.catalog().db();
    auto facts = compliance::gather_facts(db, as_of, as_of - std::chrono::hours(24 * 30));
    auto judged = compliance::judge(facts, ctx.config());
    emit(*metrics_output,
         compliance::render_metrics(judged, compliance::gather_restore_stats(db), ctx.config()));
    ctx.exit_code = kExitOk;
  });
}

} // namespace lastgood::cli
