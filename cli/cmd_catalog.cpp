// catalog init | check | export

#include "catalog/catalog_check.hpp"
#include "catalog/catalog_export.hpp"
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
    const bool postgres = catalog::is_postgres_location(location.path);
    const bool existed = !postgres && std::filesystem::exists(location.path);
    auto& catalog = ctx.catalog(catalog::IfMissing::Create);
    if (!ctx.quiet)
      std::cerr << (postgres  ? "catalog at "
                    : existed ? "catalog already at "
                              : "created catalog at ")
                << catalog.db().path() << " (path from " << location.chosen_by
                << ", schema version " << catalog.schema_version() << ")\n";
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
      std::cout << "catalog " << ctx.catalog().db().path() << ": integrity " << result.integrity
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

  auto to = std::make_shared<std::string>();
  auto export_json = std::make_shared<bool>(false);
  auto exporter = group->add_subcommand(
      "export", "copy the whole catalog into an empty one on the other engine (SQLite into "
                "PostgreSQL, or back), checked row for row");
  exporter
      ->add_option("--to", *to,
                   "the destination: a postgresql:// URI or an SQLite file path (created)")
      ->required();
  exporter->add_flag("--json", *export_json, "print one JSON document");
  exporter->callback([&ctx, to, export_json] {
    auto& source = ctx.catalog();
    auto destination = catalog::Catalog::open(*to);
    const auto result = catalog::export_catalog(source.db(), destination->db());
    if (*export_json) {
      nlohmann::json tables = nlohmann::json::object();
      for (const auto& t : result.tables)
        tables[t.name] = t.rows;
      print_json({{"from", source.db().path()},
                  {"to", destination->db().path()},
                  {"rows", result.rows()},
                  {"tables", tables},
                  {"checked", "row for row"}});
      return;
    }
    std::cout << "exported " << result.rows() << " rows in " << result.tables.size()
              << " tables from " << source.db().path() << " to " << destination->db().path()
              << ", checked row for row\n";
    for (const auto& t : result.tables)
      if (t.rows) std::cout << "  " << t.name << ": " << t.rows << '\n';
  });
}

} // namespace lastgood::cli
