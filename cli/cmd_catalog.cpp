// catalog init | check (migrate|export come later)

#include "catalog/catalog_check.hpp"
#include "cli/context.hpp"
#include "common/error.hpp"

#include <CLI/CLI.hpp>
#include <filesystem>
#include <iostream>
#include <memory>

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

  auto json = std::make_shared<bool>(false);
  auto check = group->add_subcommand(
      "check",
      "find inconsistencies in the catalog (exit 3 when there are any; scan repairs most)");
  check->add_flag("--json", *json, "print one JSON document");
  check->callback([&ctx, json] {
    const auto result = catalog::check_catalog(ctx.catalog().db());
    if (*json) {
      print_json(catalog::to_json(result));
    } else {
      std::cout << "catalog " << ctx.catalog_location().path << ": integrity " << result.integrity
                << "; "
                << (result.clean()
                        ? "consistent"
                        : std::to_string(result.inconsistencies.size()) + " inconsistencies")
                << '\n';
      for (const auto& i : result.inconsistencies)
        std::cout << "  " << i.check << ": " << i.where << " " << i.detail << " (" << i.repair
                  << ")\n";
    }
    ctx.exit_code = result.clean() ? kExitOk : kExitProblem;
  });
}

} // namespace lastgood::cli
