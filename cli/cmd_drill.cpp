// drill [--database DB] [--source NAME] [--check NAME]... [--scratch auto|CONNSTR] [--jobs N]
// [--json]

#include "cli/context.hpp"
#include "cli/flag_spellings.hpp"
#include "cli/flag_values.hpp"
#include "common/error.hpp"
#include "common/redact.hpp"
#include "common/text_table.hpp"
#include "restore/drill.hpp"

#include <CLI/CLI.hpp>
#include <algorithm>
#include <cstdio>
#include <iostream>
#include <thread>

namespace lastgood::cli {

namespace {

struct DrillCliOptions
{
  restore::DrillRequest request;
  bool json = false;
  FlagSpellings scratch; // --scratch, --to, --dbname
};

std::string upper(std::string text)
{
  for (auto& c : text)
    c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  return text;
}

// Each step is printed as it ends: a long step name (a user's command) is
// kept whole and pushes its line along rather than running into the outcome.
void print_step(const restore::DrillStep& s)
{
  char seconds[32];
  std::snprintf(seconds, sizeof seconds, "%6.1f s  ", s.seconds);
  std::cout << "  " << padded_cell(s.name, 23) << padded_cell(upper(s.outcome), 8) << seconds
            << redact(s.detail) << std::endl;
}

} // namespace

void register_drill_command(CLI::App& app, Context& ctx)
{
  auto o = std::make_shared<DrillCliOptions>();
  o->request.jobs = 0; // not given: a few, by the machine
  auto* cmd = app.add_subcommand(
      "drill", "the restore drill: newest backup, checksum, test restore, data checks, commands");
  cmd->add_option("--database", o->request.database,
                  "the database to drill (default: [drill] database)");
  cmd->add_option("--source", o->request.source,
                  "the source its dumps come from (needed when several hold the database)");
  cmd->add_option("--check", o->request.checks, "only this [[verify.check]] (repeatable)");
  o->scratch = FlagSpellings(*cmd, o->request.scratch, {"--scratch", "--to", "--dbname"},
                             "scratch server connection string, or 'auto' (private cluster)");
  cmd->add_option("--jobs", o->request.jobs, "parallel pg_restore jobs and check connections")
      ->check(CLI::Range(1u, 64u));
  cmd->add_flag("--json", o->json, "print one JSON document");
  cmd->callback([&ctx, o] {
    o->request.scratch_flag = o->scratch.given();
    if (o->request.jobs == 0)
      o->request.jobs = std::clamp(std::thread::hardware_concurrency(), 1u, 4u);
    const bool text = !o->json;
    bool header = false;
    auto result = restore::run_drill(ctx.catalog().db(), ctx.config(), o->request,
                                     [&](const restore::DrillStep& step) {
                                       if (!text) return;
                                       if (!header) {
                                         std::cout << "drill\n";
                                         header = true;
                                       }
                                       print_step(step);
                                     });
    if (o->json) {
      print_json(restore::to_json(result));
    } else {
      char total[64];
      std::snprintf(total, sizeof total, "%.1f s", result.seconds);
      std::cout << "drill of database " << result.database << ": " << upper(result.outcome)
                << " in " << total << " (drill " << result.drill_id << ")\n";
      if (result.outcome != "pass")
        for (const auto& s : result.steps)
          if (s.outcome == "fail" || s.outcome == "error")
            std::cerr << "lastgood: drill step '" << s.name << "' " << s.outcome << ": "
                      << redact(s.detail) << '\n';
    }
    ctx.exit_code = result.exit_code;
  });
}

} // namespace lastgood::cli
