#pragma once
// What every command shares: global options, the catalog, and output helpers.

#include "catalog/catalog.hpp"
#include "common/config.hpp"

#include <memory>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

namespace CLI {
class App;
}

namespace lastgood::cli {

struct Context
{
  std::string catalog_flag;
  std::string config_flag;
  bool verbose = false;
  bool quiet = false;
  int exit_code = 0;

  // Opened (and migrated) on first use. Only set-up commands (repo add, backup,
  // catalog init) pass Create: for every other command a missing catalog is an error.
  catalog::Catalog& catalog(catalog::IfMissing if_missing = catalog::IfMissing::Refuse);
  catalog::CatalogLocation catalog_location() const
  {
    return catalog::locate_catalog(catalog_flag);
  }
  const Config& config();
  // Flags that set configuration keys; commands add theirs before calling config().
  std::vector<ConfigFlag> config_flags;

private:
  std::unique_ptr<catalog::Catalog> m_catalog;
  std::unique_ptr<Config> m_config;
};

void print_json(const nlohmann::json& document);
bool stderr_is_terminal();
std::string human_bytes(std::uint64_t bytes);

// Each command group registers its subcommands; their callbacks set ctx.exit_code.
void register_repo_commands(CLI::App& app, Context& ctx);
void register_scan_command(CLI::App& app, Context& ctx);
void register_backup_list_commands(CLI::App& app, Context& ctx);
void register_wal_command(CLI::App& app, Context& ctx);
// `wal search` (cmd_wal_search.cpp), a subcommand of `wal`; returns it.
CLI::App* register_wal_search_command(CLI::App& wal, Context& ctx);
void register_verify_commands(CLI::App& app, Context& ctx);
void register_pick_command(CLI::App& app, Context& ctx);
void register_backup_command(CLI::App& app, Context& ctx);
void register_fingerprint_command(CLI::App& app, Context& ctx);
void register_restore_command(CLI::App& app, Context& ctx);
void register_retention_commands(CLI::App& app, Context& ctx);
void register_hold_commands(CLI::App& app, Context& ctx);
void register_wal_fetch_command(CLI::App& app, Context& ctx);
void register_plan_command(CLI::App& app, Context& ctx);
void register_report_commands(CLI::App& app, Context& ctx);
void register_status_commands(CLI::App& app, Context& ctx);
void register_drill_command(CLI::App& app, Context& ctx);
void register_run_command(CLI::App& app, Context& ctx);
void register_config_command(CLI::App& app, Context& ctx);
void register_catalog_commands(CLI::App& app, Context& ctx);

} // namespace lastgood::cli
