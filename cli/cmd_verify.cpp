// verify [ID...] [--level L] [--due] [--slice N/T] [--scratch CONNSTR|auto] [--jobs N] [--budget D]
//        [--verifiers N] [--cryptographic]
// [--json] history [ID] [--json]

#include "catalog/backup_queries.hpp"
#include "catalog/verification_runs.hpp"
#include "cli/context.hpp"
#include "cli/flag_spellings.hpp"
#include "cli/flag_values.hpp"
#include "cli/recovery_point_text.hpp"
#include "common/cipher_pass.hpp"
#include "common/error.hpp"
#include "common/printable_name.hpp"
#include "common/text_table.hpp"
#include "common/time.hpp"
#include "compliance/webhook.hpp"
#include "pg/recovery_config.hpp"
#include "verifier/due_policy.hpp"
#include "verifier/parallel_batch.hpp"
#include "verifier/verifier.hpp"
#include "verifier/verify_batch.hpp"

#include <CLI/CLI.hpp>
#include <chrono>
#include <iomanip>
#include <iostream>
#include <thread>

namespace lastgood::cli {

namespace {

struct VerifyCliOptions
{
  std::vector<std::string> ids;
  std::string level = "restore";
  bool due = false;
  std::string slice = "1/1";
  std::string scratch;
  unsigned jobs = 0;
  unsigned verifiers = 1;
  std::string budget;
  std::string target_time;
  bool json = false;
  bool cryptographic = false;
  FlagSpellings scratch_flag; // --scratch, --to, --dbname
};

std::vector<verifier::PlannedVerification> plan(Context& ctx, const VerifyCliOptions& opts)
{
  auto& db = ctx.catalog().db();
  if (opts.due) {
    if (!opts.ids.empty()) throw UsageError("give backup IDs or --due, not both");
    return verifier::plan_due(db, ctx.config().verify, verifier::parse_slice(opts.slice));
  }
  std::vector<verifier::PlannedVerification> out;
  const auto level = verifier::parse_level(opts.level);
  if (opts.ids.empty()) {
    for (auto& b : catalog::list_backups(db, {}))
      if (!b.missing_since) out.push_back({b, level, ""});
    return out;
  }
  for (const auto& id : opts.ids) {
    auto b = catalog::find_backup(db, id);
    if (!b) throw UsageError("no backup with ID '" + id + "' (see 'lastgood backups')");
    out.push_back({*b, level, ""});
  }
  return out;
}

void print_report(const verifier::VerifyReport& r)
{
  std::string outcome = r.outcome;
  for (auto& c : outcome)
    c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  std::int64_t rows = 0;
  for (const auto& c : r.row_counts)
    rows += c.row_count;
  // One line per backup as each finishes: widths cannot be measured ahead.
  std::cout << padded_cell(r.backup_id, 32) << padded_cell(verifier::to_string(r.level), 10)
            << padded_cell(outcome, 8) << std::fixed << std::setprecision(1) << r.seconds << " s";
  if (!r.row_counts.empty())
    std::cout << "  (" << r.row_counts.size() << " tables, " << rows << " rows)";
  if (r.run_id) std::cout << "  run " << r.run_id;
  std::cout << '\n';
  if (const auto point = recovery_point_summary(r.recovery_point); !point.empty())
    std::cout << "    recovery point: " << point << '\n';
  for (const auto& n : r.notes)
    std::cout << "    note: " << n << '\n';
  for (const auto& f : r.findings)
    std::cout << "    " << verifier::to_string(f.severity) << " " << f.kind
              << (f.subject.empty() ? "" : " " + printable_name(f.subject)) << ": "
              << with_printable_name(f.message, f.subject) << '\n';
}

void print_runs(const std::vector<catalog::RunRecord>& runs)
{
  TextTable table({"RUN", "BACKUP", "LEVEL", "OUTCOME", "STARTED", "SECONDS", "FINDINGS"});
  for (const auto& r : runs) {
    std::ostringstream secs;
    if (r.duration_seconds) secs << std::fixed << std::setprecision(1) << *r.duration_seconds;
    table.add_row({std::to_string(r.id), r.backup_id, r.level, r.outcome, r.started_at, secs.str(),
                   std::to_string(r.findings)});
  }
  table.print(std::cout);
}

} // namespace

void register_verify_commands(CLI::App& app, Context& ctx)
{
  auto opts = std::make_shared<VerifyCliOptions>();
  auto* verify = app.add_subcommand(
      "verify", "verify backups (checksum, structure, test restore) and record it");
  verify->add_option("ID", opts->ids, "backups to verify (default: all, or what is due with --due)")
      ->check(backup_id_value());
  verify->add_option("--backup", opts->ids, "a backup to verify, as ID (repeatable)")
      ->check(backup_id_value());
  verify->add_option(
      "--level", opts->level,
      "checksum | structure | restore (default) | pitr (base backups, with --target-time)");
  verify
      ->add_option("--target-time", opts->target_time,
                   "with --level pitr: recover to this time (RFC 3339)")
      ->check(time_value());
  verify->add_flag("--due", opts->due,
                   "do what the verify.restore_every / checksum_every policy says is due");
  verify->add_option("--slice", opts->slice,
                     "with --due: only slice N of T (e.g. 3/7), deterministic");
  opts->scratch_flag =
      FlagSpellings(*verify, opts->scratch, {"--scratch", "--to", "--dbname"},
                    "scratch server connection string, or 'auto' (private cluster)");
  verify->add_option("--jobs", opts->jobs, "parallel hashing threads and pg_restore jobs")
      ->check(CLI::Range(1u, 64u));
  verify
      ->add_option("--verifiers", opts->verifiers,
                   "verify up to N backups at once, each under its own lease (default 1)")
      ->check(CLI::Range(1u, 64u));
  verify->add_option("--budget", opts->budget, "start no new work after this long (e.g. 2h)")
      ->check(duration_value());
  verify->add_flag("--json", opts->json, "print one JSON document");
  verify->add_flag("--cryptographic", opts->cryptographic,
                   "recompute every object's SHA-256 (default: XXH3-128 where SHA-256 is not due "
                   "by verify.sha256_every)");
  verify->callback([&ctx, opts] {
    const auto budget =
        opts->budget.empty() ? std::chrono::seconds(0) : parse_duration(opts->budget);
    // Taken before planning: work another verifier finishes after this point is skipped.
    const auto watermark = catalog::verification_watermark(ctx.catalog().db());
    const std::string planned_at = format_rfc3339(now_seconds());
    auto work = plan(ctx, *opts);
    const unsigned jobs =
        opts->jobs ? opts->jobs : std::max(1u, std::thread::hardware_concurrency());
    if ((opts->level == "pitr") != !opts->target_time.empty())
      throw UsageError("--level pitr and --target-time go together");
    auto make = [&](catalog::Database& db) {
      auto verifier = std::make_unique<verifier::Verifier>(db, ctx.config().verify, opts->scratch,
                                                           jobs, watermark);
      verifier->set_planned_at(planned_at);
      verifier->set_parallel_restore(opts->jobs > 1);
      verifier->set_cryptographic(opts->cryptographic);
      if (!opts->target_time.empty())
        verifier->set_target_time(pg::recovery_target_time_value(opts->target_time));
      verifier->set_config_path(ctx.config_flag);
      verifier->set_cipher_pass(cipher_pass_lookup(ctx.config()));
      if (opts->scratch_flag.was_given()) verifier->set_scratch_flag(opts->scratch_flag.given());
      return verifier;
    };
    verifier::BatchOptions batch;
    batch.budget = budget;
    batch.trigger = opts->due ? "due" : "manual";
    if (!opts->json) batch.on_report = print_report;
    const auto result =
        verifier::verify_in_parallel(ctx.catalog().db(), make, opts->verifiers, work, batch);
    if (opts->json) {
      nlohmann::json reports = nlohmann::json::array();
      for (const auto& r : result.reports)
        reports.push_back(verifier::to_json(r));
      print_json({{"runs", reports},
                  {"left_for_later", result.left_for_later},
                  {"cleaned_up", result.cleaned_up}});
    } else {
      for (const auto& c : result.cleaned_up)
        std::cerr << "cleaned up after an earlier crash: " << c << '\n';
      if (work.empty()) std::cout << (opts->due ? "nothing is due\n" : "no backups to verify\n");
      if (result.left_for_later)
        std::cout << result.left_for_later << " left for a later run (budget reached)\n";
    }
    if (!result.failed.empty()) {
      std::string failed_ids; // announced once (one bounded webhook call)
      for (const auto& id : result.failed)
        failed_ids += (failed_ids.empty() ? "" : ", ") + id;
      compliance::notify(ctx.config().notify, "verification failed: " + failed_ids);
    }
    ctx.exit_code = result.exit_code();
  });

  auto* history = app.add_subcommand("history", "verification runs, newest first");
  auto history_opts = std::make_shared<VerifyCliOptions>();
  history->add_option("ID", history_opts->ids, "only this backup")
      ->expected(0, 1)
      ->check(backup_id_value());
  history->add_flag("--json", history_opts->json, "print one JSON document");
  history->callback([&ctx, history_opts] {
    auto& db = ctx.catalog().db();
    std::optional<std::int64_t> backup;
    if (!history_opts->ids.empty()) {
      const auto& id = history_opts->ids.front();
      auto b = catalog::find_backup(db, id);
      if (!b) throw UsageError("no backup with ID '" + id + "' (see 'lastgood backups')");
      backup = b->id;
    }
    auto runs = catalog::list_runs(db, backup);
    if (history_opts->json) {
      nlohmann::json out = nlohmann::json::array();
      for (const auto& r : runs)
        out.push_back(catalog::run_with_findings_json(db, r));
      print_json({{"runs", out}});
    } else {
      print_runs(runs);
    }
  });
}

} // namespace lastgood::cli
