// lastgood: catalog, verify and restore PostgreSQL backups.
// Parsing and wiring only; the work happens in the core library.

#include "cli/context.hpp"
#include "cli/unknown_names.hpp"
#include "common/error.hpp"
#include "common/redact.hpp"
#include "storage/s3_storage.hpp"

#include <CLI/CLI.hpp>
#include <iostream>
#include <spdlog/sinks/stdout_color_sinks.h>
#include <spdlog/spdlog.h>

int main(int argc, char** argv)
{
  using namespace lastgood;
  cli::Context ctx;
  CLI::App app{"lastgood: knows which PostgreSQL backup you would restore, and that it works"};
  app.set_version_flag("--version", std::string("lastgood ") + LASTGOOD_VERSION);
  app.require_subcommand(1);
  app.fallthrough();
  app.add_option("--catalog", ctx.catalog_flag,
                 "catalog file, or a postgresql:// URI (env LASTGOOD_CATALOG)");
  app.add_option("--config", ctx.config_flag, "configuration file (env LASTGOOD_CONFIG)");
  app.add_flag("-v,--verbose", ctx.verbose, "more detail on stderr");
  app.add_flag("-q,--quiet", ctx.quiet, "only errors on stderr");

  cli::register_repo_commands(app, ctx);
  cli::register_scan_command(app, ctx);
  cli::register_backup_list_commands(app, ctx);
  cli::register_wal_command(app, ctx);
  cli::register_verify_commands(app, ctx);
  cli::register_pick_command(app, ctx);
  cli::register_backup_command(app, ctx);
  cli::register_fingerprint_command(app, ctx);
  cli::register_restore_command(app, ctx);
  cli::register_retention_commands(app, ctx);
  cli::register_hold_commands(app, ctx);
  cli::register_wal_fetch_command(app, ctx);
  cli::register_plan_command(app, ctx);
  cli::register_report_commands(app, ctx);
  cli::register_status_commands(app, ctx);

  // s3:// repositories read [s3] credentials from the configuration only when the environment has
  // none.
  storage::set_s3_config_source([&ctx] { return ctx.config().s3; });
  cli::register_drill_command(app, ctx);
  cli::register_run_command(app, ctx);
  cli::register_config_command(app, ctx);
  cli::register_catalog_commands(app, ctx);

  auto logger = spdlog::stderr_color_mt("lastgood");
  spdlog::set_default_logger(logger);
  spdlog::set_pattern("%^%l%$: %v");
  app.parse_complete_callback([&] {
    spdlog::set_level(ctx.quiet     ? spdlog::level::err
                      : ctx.verbose ? spdlog::level::debug
                                    : spdlog::level::info);
  });

  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    if (e.get_exit_code() != 0) {
      if (auto message = cli::unknown_name_message(app)) {
        std::cerr << "lastgood: " << *message << '\n';
        return kExitUsage;
      }
    }
    int code = app.exit(e);
    return code == 0 ? kExitOk : kExitUsage;
  } catch (const Error& e) {
    std::cerr << "lastgood: " << redact(e.what()) << '\n';
    return e.exit_code();
  } catch (const std::exception& e) {
    std::cerr << "lastgood: unexpected error: " << redact(e.what()) << '\n';
    return kExitFailed;
  }
  return ctx.exit_code;
}
