// pick [--database DB [--source NAME] | --cluster SYSID] [--before TIME] [--json]

#include "catalog/repositories.hpp"
#include "cli/context.hpp"
#include "cli/flag_values.hpp"
#include "common/error.hpp"
#include "common/printable_name.hpp"
#include "common/text_table.hpp"
#include "common/time.hpp"
#include "restore/pick.hpp"

#include <CLI/CLI.hpp>
#include <iomanip>
#include <iostream>

namespace lastgood::cli {

namespace {

struct PickOptions
{
  std::string database, source, cluster, before;
  bool json = false;
};

std::string age_of(const std::optional<std::string>& time)
{
  if (!time) return "unknown age";
  return format_duration(now_seconds() - parse_rfc3339(*time)) + " ago";
}

void print_text(const restore::PickResult& r)
{
  const auto& b = *r.backup;
  const auto when = b.stop_time ? b.stop_time : b.start_time;
  std::cout << b.backup_id << '\n'
            << "  location   " << b.repository << ": " << printable_name(b.root_key) << '\n'
            << "  taken      " << when.value_or("?") << " (" << age_of(when) << ")\n";
  if (b.database) std::cout << "  database   " << *b.database << '\n';
  if (b.kind == "logical") std::cout << "  source     " << catalog::source_label(b.source) << '\n';
  if (r.evidence) {
    std::cout << "  proven by  run " << r.evidence->id << ", a test restore that passed at "
              << r.evidence->finished_at.value_or("?") << " (" << age_of(r.evidence->finished_at)
              << ")\n";
    if (r.evidence->source_match)
      std::cout << "             " << catalog::describe(*r.evidence->source_match) << '\n';
  }
  if (!r.row_counts.empty()) {
    std::cout << "  row counts\n";
    TextTable counts;
    for (const auto& c : r.row_counts)
      counts.add_row({c.schema_name + "." + c.table_name, std::to_string(c.row_count)});
    counts.print(std::cout, "    ");
  }
}

} // namespace

void register_pick_command(CLI::App& app, Context& ctx)
{
  auto opts = std::make_shared<PickOptions>();
  auto* pick = app.add_subcommand("pick", "the last known good backup, with the evidence");
  pick->add_option("--database", opts->database, "for this database");
  pick->add_option(
      "--source", opts->source,
      "from this source (the server the dumps came from; 'default': of no named source)");
  pick->add_option("--cluster", opts->cluster, "for this cluster (system identifier)")
      ->check(system_identifier_value());
  pick->add_option("--before", opts->before, "taken before this time (RFC 3339)")
      ->check(time_value());
  pick->add_flag("--json", opts->json, "print one JSON document");
  pick->callback([&ctx, opts] {
    restore::PickRequest request;
    if (!opts->database.empty()) request.database = opts->database;
    if (!opts->cluster.empty()) request.cluster = opts->cluster;
    if (!opts->source.empty()) request.source = opts->source;
    if (!opts->before.empty()) {
      try {
        request.before = parse_rfc3339(opts->before);
      } catch (const ValidationError& e) {
        throw UsageError(e.what());
      }
    }
    auto result = restore::pick_last_good(ctx.catalog().db(), request);
    if (opts->json) print_json(restore::to_json(result));
    if (result.backup) {
      if (!opts->json) print_text(result);
      ctx.exit_code = kExitOk;
      return;
    }
    std::string scope = request.database
                            ? "database " + *request.database +
                                  (request.source ? " from source " + *request.source : "")
                        : request.source  ? "any database from source " + *request.source
                        : request.cluster ? "cluster " + *request.cluster
                                          : "any database";
    std::cerr << "lastgood: no backup of " << scope
              << (opts->before.empty() ? "" : " before " + opts->before)
              << " has passed a test restore.";
    if (result.newest_unverified)
      std::cerr << " Newest unverified: " << result.newest_unverified->backup_id
                << " (lastgood verify " << result.newest_unverified->backup_id << ").";
    if (result.newest_bad) std::cerr << " Newest bad: " << result.newest_bad->backup_id << ".";
    if (!result.newest_unverified && !result.newest_bad)
      std::cerr << " There are no backups of it at all.";
    std::cerr << '\n';
    ctx.exit_code = kExitProblem;
  });
}

} // namespace lastgood::cli
