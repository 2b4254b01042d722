// catalog init (the other upkeep subcommands, check|migrate|export, come later)

#include "cli/context.hpp"

#include <CLI/CLI.hpp>
#include <filesystem>
#include <iostream>

namespace lastgood::cli {

void register_catalog_commands(CLI::App& app, Context& ctx)
{
  auto* group = app.add_subcommand("catalog", "catalog upkeep");
  group->require_subcommand(1);
  auto* init = group->add_subcommand(
      "init", "create the catalog (or migrate an existing one to this lastgood)");
  init->callback([&ctx] {
    const auto location = ctx.catalog_location();
    const bool existed = std::filesystem::exists(location.path);
    auto& catalog = ctx.catalog(catalog::IfMissing::Create);
    if (!ctx.quiet)
      std::cerr << (existed ? "catalog already at " : "created catalog at ") << location.path
                << " (path from " << location.chosen_by << ", schema version "
                << catalog.schema_version() << ")\n";
  });
}

} // namespace lastgood::cli
