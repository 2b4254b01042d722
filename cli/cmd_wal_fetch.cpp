// wal-fetch WALFILE DEST [--cluster SYSID]
// PostgreSQL's restore_command: restore_command = 'lastgood wal-fetch %f %p --catalog PATH'
// Without --cluster, the asking cluster is read from ./global/pg_control.

#include "cli/context.hpp"
#include "common/cipher_pass.hpp"
#include "common/error.hpp"
#include "restore/wal_fetch.hpp"

#include <CLI/CLI.hpp>
#include <filesystem>
#include <iostream>
#include <spdlog/spdlog.h>

namespace lastgood::cli {

namespace {

struct WalFetchCliOptions
{
  std::string name, destination, cluster;
};

} // namespace

void register_wal_fetch_command(CLI::App& app, Context& ctx)
{
  auto o = std::make_shared<WalFetchCliOptions>();
  auto* cmd = app.add_subcommand(
      "wal-fetch",
      "restore_command helper: copy one archived WAL segment or history file to DEST, checked");
  cmd->add_option("WALFILE", o->name, "the file PostgreSQL asks for (%f)")->required();
  cmd->add_option("DEST", o->destination, "where to put it (%p)")->required();
  cmd->add_option("--cluster", o->cluster,
                  "only this cluster's archive (system identifier; default: the one "
                  "./global/pg_control names)");
  cmd->callback([&ctx, o] {
    // Never create a catalog here: a wrong path must fail, not look like an empty archive.
    const auto path = catalog::resolve_catalog_path(ctx.catalog_flag);
    if (!catalog::is_postgres_location(path) && !std::filesystem::exists(path))
      throw UsageError("no catalog at " + path +
                       "; give wal-fetch the catalog the backups were scanned into "
                       "(--catalog PATH)");
    restore::WalFetchRequest request;
    request.name = o->name;
    request.destination = o->destination;
    if (!o->cluster.empty()) request.cluster = o->cluster;
    // PostgreSQL runs restore_command in the data directory that asks.
    request.data_directory = std::filesystem::current_path().string();
    // The passphrase comes from the environment PostgreSQL inherited or from
    // the --config file's cipher_pass_file: never from this command line.
    request.cipher_pass = cipher_pass_lookup(ctx.config(), /*environment_first=*/true);
    auto result = restore::wal_fetch(ctx.catalog().db(), request);
    if (result.foreign_cluster) {
      spdlog::error("{}", result.message);
      ctx.exit_code = kExitProblem;
      return;
    }
    if (result.outcome == restore::WalFetchOutcome::NotInArchive) {
      // PostgreSQL asks for files that do not exist (yet); say so only when asked.
      spdlog::debug("{}", result.message);
      ctx.exit_code = kExitFailed;
      return;
    }
    spdlog::debug("restored {} from {}:{} ({} bytes)", o->name, result.repository, result.key,
                  result.bytes);
  });
}

} // namespace lastgood::cli
