// run [--budget D] [--jobs N] [--verifiers N] [--metrics FILE] [--report FILE]
//     [--report-format text|json|markdown|html] [--scratch CONNSTR|auto] [--json]
//     [--loop [--every D]]

#include "cli/context.hpp"
#include "cli/flag_values.hpp"
#include "common/error.hpp"
#include "common/time.hpp"
#include "schedule/run_loop.hpp"

#include <CLI/CLI.hpp>
#include <cstdio>
#include <iostream>

namespace lastgood::cli {

namespace {

struct RunCliOptions
{
  schedule::RunRequest request;
  std::string budget;
  bool json = false;
  bool loop = false;
  std::string every = "1h";
};

std::string upper(std::string_view text)
{
  std::string out(text);
  for (auto& c : out)
    c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  return out;
}

void print_run_end(const schedule::RunResult& result)
{
  char total[32];
  std::snprintf(total, sizeof total, "%.1f s", result.seconds);
  std::cout << "run: " << upper(schedule::to_string(result.outcome)) << " in " << total << " (exit "
            << result.exit_code() << ")\n"
            << std::flush;
}

void print_stage(const schedule::Stage& s)
{
  char line[64];
  std::snprintf(line, sizeof line, "%-8s %-8s %7.1f s  ", s.name.c_str(),
                upper(schedule::to_string(s.outcome)).c_str(), s.seconds);
  std::cout << line << s.summary << '\n';
  for (const auto& d : s.details)
    std::cout << "    " << d << '\n';
  std::cout << std::flush;
}

} // namespace

void register_run_command(CLI::App& app, Context& ctx)
{
  auto o = std::make_shared<RunCliOptions>();
  auto* run = app.add_subcommand(
      "run", "what a scheduler calls: scan, verify what is due, metrics, report, notify; "
             "every stage runs, the exit code is the worst outcome");
  run->add_option("--budget", o->budget, "verify starts no new work after this long (e.g. 3h)")
      ->check(duration_value());
  run->add_option("--jobs", o->request.jobs, "scan readers, hashing threads and pg_restore jobs")
      ->check(CLI::Range(1u, 64u));
  run->add_option("--verifiers", o->request.verifiers,
                  "verify up to N due backups at once, each under its own lease (default 1)")
      ->check(CLI::Range(1u, 64u));
  run->add_option("--metrics", o->request.metrics_path,
                  "write the Prometheus metrics to this file (atomically)");
  run->add_option("--report", o->request.report_path,
                  "write the compliance report to this file (atomically); a non-compliant "
                  "report is a problem (exit 3)");
  run->add_option("--report-format", o->request.report_format, "text | json | markdown | html")
      ->check(CLI::IsMember({"text", "json", "markdown", "html"}));
  run->add_option("--scratch", o->request.scratch,
                  "scratch server connection string, or 'auto' (private cluster)");
  run->add_flag("--json", o->json,
                "print one JSON document (stages as an array); with --loop one per run, each "
                "on one line");
  auto* loop = run->add_flag("--loop", o->loop,
                             "run again and again (start to start: --every) until SIGTERM, "
                             "SIGINT or SIGHUP; for a worker that stays up");
  run->add_option("--every", o->every, "with --loop: how often a run starts (default 1h)")
      ->check(duration_value())
      ->needs(loop);
  run->callback([&ctx, o] {
    if (!o->budget.empty()) {
      try {
        o->request.budget = parse_duration(o->budget);
      } catch (const ValidationError& e) {
        throw UsageError(std::string("--budget: ") + e.what());
      }
    }
    o->request.config_path = ctx.config_flag;
    const bool text = !o->json;
    auto on_stage = [text](const schedule::Stage& s) {
      if (text) print_stage(s);
    };
    if (o->loop) {
      schedule::LoopRequest loop_request{o->request, parse_duration(o->every)};
      ctx.exit_code = schedule::run_loop(
          ctx.catalog().db(), ctx.config(), loop_request,
          {.on_stage = on_stage,
           .on_run =
               [text](const schedule::RunResult& result) {
                 if (text)
                   print_run_end(result);
                 else
                   std::cout << schedule::to_json(result).dump() << '\n' << std::flush;
               },
           .on_wait =
               [text](std::chrono::system_clock::time_point next) {
                 if (text)
                   std::cout << "run: next at "
                             << format_rfc3339(
                                    std::chrono::time_point_cast<std::chrono::seconds>(next))
                             << "\n"
                             << std::flush;
               }});
      return;
    }
    auto result = schedule::run_scheduled(ctx.catalog().db(), ctx.config(), o->request, on_stage);
    if (o->json)
      print_json(schedule::to_json(result));
    else
      print_run_end(result);
    ctx.exit_code = result.exit_code();
  });
}

} // namespace lastgood::cli
