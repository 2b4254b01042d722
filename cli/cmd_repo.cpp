// repo add NAME URL | repo list | repo remove NAME

#include <CLI/CLI.hpp>

#include <iostream>

#include "catalog/repositories.hpp"
#include "cli/context.hpp"
#include "storage/storage.hpp"

namespace lastgood::cli {

namespace {

struct RepoOptions {
  std::string name, url;
  bool json = false;
};

} // namespace

void register_repo_commands(CLI::App& app, Context& ctx)
{
  auto opts = std::make_shared<RepoOptions>();
  auto* repo = app.add_subcommand("repo", "register where backups live");
  repo->require_subcommand(1);

  auto* add = repo->add_subcommand("add", "register a repository (path, file:// or s3:// URL)");
  add->add_option("NAME", opts->name, "repository name")->required();
  add->add_option("URL", opts->url, "a path, file:///path or s3://bucket/prefix?region=... (docs/s3.md)")->required();
  add->callback([&ctx, opts] {
    storage::open_storage(opts->url);  // refuse what cannot be opened before registering it
    auto r = catalog::add_repository(ctx.catalog(catalog::IfMissing::Create).db(), opts->name,
                                     opts->url);
    if (!ctx.quiet) std::cerr << "added repository " << r.name << " at " << r.url << '\n';
  });

  auto* list = repo->add_subcommand("list", "list repositories");
  list->add_flag("--json", opts->json, "print JSON");
  list->callback([&ctx, opts] {
    auto repos = catalog::list_repositories(ctx.catalog().db());
    if (opts->json) {
      nlohmann::json out = nlohmann::json::array();
      for (const auto& r : repos) out.push_back({{"name", r.name}, {"url", r.url}, {"created_at", r.created_at}});
      print_json(out);
      return;
    }
    for (const auto& r : repos) std::cout << r.name << '\t' << r.url << '\n';
  });

  auto* remove = repo->add_subcommand("remove", "forget a repository (its history stays in the catalog)");
  remove->add_option("NAME", opts->name, "repository name")->required();
  remove->callback([&ctx, opts] {
    catalog::remove_repository(ctx.catalog().db(), opts->name);
    if (!ctx.quiet) std::cerr << "removed repository " << opts->name << " (history kept)\n";
  });
}

} // namespace lastgood::cli
