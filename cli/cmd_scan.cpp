// scan [NAME...] [--rehash] [--jobs N] [--json]

#include "catalog/repositories.hpp"
#include "catalog/scanner.hpp"
#include "cli/context.hpp"
#include "common/cipher_pass.hpp"
#include "common/error.hpp"
#include "common/printable_name.hpp"
#include "storage/storage.hpp"

#include <CLI/CLI.hpp>
#include <iostream>

namespace lastgood::cli {

namespace {

struct ScanCliOptions
{
  std::vector<std::string> names;
  bool rehash = false;
  unsigned jobs = 0;
  bool json = false;
};

void print_text(const catalog::ScanSummary& s)
{
  std::cout << s.repository << ": " << s.new_objects << " new, " << s.changed << " changed, "
            << s.unchanged << " unchanged, " << s.missing << " missing; "
            << human_bytes(s.bytes_hashed) << " hashed in " << std::fixed << std::setprecision(1)
            << s.seconds << " s";
  if (s.seconds > 0 && s.bytes_hashed > 0)
    std::cout << " (" << std::setprecision(0)
              << static_cast<double>(s.bytes_hashed) / 1e6 / s.seconds << " MB/s)";
  std::cout << "; " << s.backups << " backups (" << s.new_backups << " new)\n";
  for (const auto& key : s.content_changed)
    std::cout << "  WARNING content changed under the same key: " << printable_name(key)
              << " (recorded in the audit log)\n";
  for (const auto& p : s.problems)
    std::cout << "  PROBLEM " << printable_name(p.key) << ": "
              << with_printable_name(p.message, p.key) << '\n';
  for (const auto& p : s.standing_problems)
    std::cout << "  still   " << printable_name(p.key) << ": "
              << with_printable_name(p.message, p.key) << '\n';
  for (const auto& c : s.cleaned_up)
    std::cout << "  cleaned up " << printable_name(c) << " (recorded in the audit log)\n";
  for (const auto& t : s.temp_files)
    std::cout << "  temp file " << printable_name(t.key) << ": "
              << with_printable_name(t.message, t.key) << '\n';
}

} // namespace

void register_scan_command(CLI::App& app, Context& ctx)
{
  auto opts = std::make_shared<ScanCliOptions>();
  auto* scan =
      app.add_subcommand("scan", "index new and changed objects, mark vanished ones missing");
  scan->add_option("NAME", opts->names, "repositories to scan (default: all)");
  scan->add_flag("--rehash", opts->rehash, "read and hash every object, even unchanged ones");
  scan->add_option("--jobs", opts->jobs, "reader threads (default: all cores)")
      ->check(CLI::Range(1u, 256u));
  scan->add_flag("--json", opts->json, "print one JSON document");
  scan->callback([&ctx, opts] {
    auto repos = catalog::repositories_to_scan(
        ctx.catalog().db(), [&ctx] { return ctx.config().repositories; }, opts->names);
    nlohmann::json all = nlohmann::json::array();
    bool clean = true;
    const bool show_progress = stderr_is_terminal() && !ctx.quiet;
    for (const auto& repo : repos) {
      auto storage = storage::open_storage(repo.url);
      catalog::ScanOptions options;
      options.rehash = opts->rehash;
      options.jobs = opts->jobs;
      options.cipher_pass = repository_cipher_pass(ctx.config(), repo.name);
      if (show_progress)
        options.on_progress = [&](const catalog::ScanProgress& p) {
          std::cerr << "\rscanning " << repo.name << ": " << p.listed << " listed, " << p.read
                    << "/" << p.to_read << " read, " << human_bytes(p.bytes_read) << "      "
                    << std::flush;
        };
      auto summary = catalog::scan_repository(ctx.catalog().db(), repo, *storage, options);
      if (show_progress) std::cerr << "\r\033[K" << std::flush;
      clean = clean && summary.clean();
      if (opts->json)
        all.push_back(catalog::to_json(summary));
      else
        print_text(summary);
    }
    if (opts->json) print_json({{"repositories", all}, {"clean", clean}});
    ctx.exit_code = clean ? kExitOk : kExitProblem;
  });
}

} // namespace lastgood::cli
