// backup --repo NAME --dbname CONNSTR [--format custom|directory] [--compress zstd[:LEVEL]]
// [--label TEXT] [--json]

#include "backup/logical_backup.hpp"
#include "catalog/repositories.hpp"
#include "cli/context.hpp"
#include "common/error.hpp"
#include "storage/storage.hpp"

#include <CLI/CLI.hpp>
#include <iomanip>
#include <iostream>

namespace lastgood::cli {

namespace {

struct BackupCliOptions
{
  std::string repo, dbname, format = "custom", compress, label, fingerprint = "counts";
  bool json = false;
};

catalog::Repository repository_named(Context& ctx, const std::string& name)
{
  auto& db = ctx.catalog(catalog::IfMissing::Create).db();
  for (const auto& r : ctx.config().repositories)
    if (r.name == name) return catalog::register_configured_repository(db, r);
  if (auto repo = catalog::find_repository(db, name)) return *repo;
  throw UsageError("no repository named '" + name + "': add it with 'lastgood repo add " + name +
                   " URL'");
}

nlohmann::json to_json(const backup::BackupResult& r)
{
  return {{"backup_id", r.backup_id},
          {"repository", r.repository},
          {"key", r.key},
          {"database", r.database},
          {"source", r.source},
          {"system_identifier",
           r.system_identifier.empty() ? nlohmann::json() : nlohmann::json(r.system_identifier)},
          {"format", r.format},
          {"compression", r.compression},
          {"size", r.size},
          {"sha256", r.sha256},
          {"objects", r.objects},
          {"start_time", r.start_time},
          {"stop_time", r.stop_time},
          {"seconds", r.seconds},
          {"cleaned_up", r.cleaned_up},
          {"fingerprint", r.fingerprint},
          {"problem", r.problem.empty() ? nlohmann::json() : nlohmann::json(r.problem)}};
}

} // namespace

void register_backup_command(CLI::App& app, Context& ctx)
{
  auto opts = std::make_shared<BackupCliOptions>();
  auto* cmd = app.add_subcommand("backup", "take a logical backup with pg_dump and catalog it");
  cmd->add_option("--repo", opts->repo, "repository to store it in")->required();
  cmd->add_option("--dbname", opts->dbname, "connection string or URI of the database to dump")
      ->required();
  cmd->add_option("--format", opts->format, "custom (default) or directory")
      ->check(CLI::IsMember({"custom", "directory"}));
  cmd->add_option("--compress", opts->compress,
                  "zstd or zstd:LEVEL (custom format; default: pg_dump's gzip)");
  cmd->add_option("--label", opts->label, "text added to the object's name");
  cmd->add_option("--fingerprint", opts->fingerprint,
                  "source fingerprint taken in pg_dump's snapshot, compared by test restores: "
                  "counts (default: exact row counts), full (also a content hash of every "
                  "table), none")
      ->check(CLI::IsMember({"counts", "full", "none"}));
  cmd->add_flag("--json", opts->json, "print one JSON document");
  cmd->callback([&ctx, opts] {
    backup::BackupRequest request;
    request.conninfo = opts->dbname;
    request.format =
        opts->format == "directory" ? backup::DumpFormat::Directory : backup::DumpFormat::Custom;
    if (!opts->compress.empty()) request.zstd_level = backup::parse_compress_option(opts->compress);
    request.label = opts->label;
    request.fingerprint = pg::parse_fingerprint_mode(opts->fingerprint);
    auto repo = repository_named(ctx, opts->repo);
    auto storage = storage::open_storage(repo.url);
    auto result = backup::take_logical_backup(ctx.catalog().db(), repo, *storage, request);
    if (opts->json) {
      print_json(to_json(result));
    } else {
      for (const auto& c : result.cleaned_up)
        std::cout << "cleaned up: " << c << '\n';
      std::cout << "backup " << result.backup_id << " of database " << result.database
                << " (source " << result.source
                << (result.system_identifier.empty()
                        ? ""
                        : ", system identifier " + result.system_identifier)
                << ") stored in " << result.repository << " at " << result.key << '\n'
                << "  " << human_bytes(result.size) << " (" << result.size << " bytes), "
                << result.format << ", " << (result.compression.empty() ? "-" : result.compression)
                << '\n'
                << "  sha256 " << result.sha256
                << (result.format == "directory" ? " (toc.dat)" : "") << '\n'
                << "  fingerprint " << result.fingerprint << '\n'
                << "  took " << std::fixed << std::setprecision(1) << result.seconds << " s\n";
      if (!result.problem.empty()) std::cout << "  PROBLEM " << result.problem << '\n';
    }
    ctx.exit_code = result.problem.empty() ? kExitOk : kExitProblem;
  });
}

} // namespace lastgood::cli
