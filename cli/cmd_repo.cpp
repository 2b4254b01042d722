// repo add NAME URL [--no-check] | repo list | repo remove NAME

#include "catalog/repositories.hpp"
#include "catalog/repository_format.hpp"
#include "cli/context.hpp"
#include "storage/repository_check.hpp"
#include "storage/storage.hpp"

#include <CLI/CLI.hpp>
#include <iostream>

namespace lastgood::cli {

namespace {

struct RepoOptions
{
  std::string name, url, source, database_from_name, format, stanza, server;
  bool json = false;
  bool no_check = false;
};

} // namespace

void register_repo_commands(CLI::App& app, Context& ctx)
{
  auto opts = std::make_shared<RepoOptions>();
  auto* repo = app.add_subcommand("repo", "register where backups live");
  repo->require_subcommand(1);

  auto* add = repo->add_subcommand("add", "register a repository (path, file:// or s3:// URL)");
  add->add_option("NAME", opts->name, "repository name")->required();
  add->add_option("URL", opts->url,
                  "a path, file:///path or s3://bucket/prefix?region=... (docs/s3.md)")
      ->required();
  add->add_option("--source", opts->source,
                  "the server its backups come from, e.g. prod-eu (docs/sources.md; default: the "
                  "default source)");
  add->add_option("--database-from-name", opts->database_from_name,
                  "regular expression naming a dump's database from its key (first capture group)");
  add->add_option("--format", opts->format,
                  "pgbackrest: a pgBackRest repository, barman: a Barman server directory "
                  "(both recognised from their layout when not given; docs/pgbackrest.md, "
                  "docs/barman.md); files: backups as files");
  add->add_option("--stanza", opts->stanza,
                  "the pgBackRest stanza to catalog (needed when the repository holds several)");
  add->add_option("--server", opts->server,
                  "the Barman server to catalog when URL is a barman home (needed when it holds "
                  "several); the repository is then URL/<server>");
  add->add_flag("--no-check", opts->no_check,
                "register it without checking that it exists and answers (e.g. not mounted yet)");
  add->callback([&ctx, opts] {
    // Refuse what cannot be opened before registering it; and, unless told not to, what
    // cannot be read.
    auto storage = storage::open_storage(opts->url);
    if (!opts->no_check) storage::check_repository_reachable(*storage);
    catalog::RepositorySettings settings;
    if (!opts->source.empty()) settings.source = opts->source;
    if (!opts->database_from_name.empty()) settings.database_from_name = opts->database_from_name;
    auto optional = [](const std::string& v) {
      return v.empty() ? std::nullopt : std::optional<std::string>(v);
    };
    std::string url = opts->url;
    if (!opts->no_check || !opts->format.empty() || !opts->server.empty()) {
      auto recognised = catalog::recognise_repository_format(
          *storage, optional(opts->format), optional(opts->stanza), optional(opts->server));
      settings.format = recognised.format;
      settings.stanza = recognised.stanza;
      url = catalog::url_below(url, recognised.server_subdirectory);
    }
    auto r = catalog::add_repository(ctx.catalog(catalog::IfMissing::Create).db(), opts->name, url,
                                     settings);
    if (!ctx.quiet)
      std::cerr << "added repository " << r.name << " at " << r.url << " (source "
                << catalog::source_label(r.source)
                << (r.format
                        ? ", " + *r.format + (r.stanza ? " stanza " + *r.stanza : std::string())
                        : std::string())
                << ")\n";
  });

  auto* list = repo->add_subcommand("list", "list repositories");
  list->add_flag("--json", opts->json, "print JSON");
  list->callback([&ctx, opts] {
    auto repos = catalog::list_repositories(ctx.catalog().db());
    if (opts->json) {
      nlohmann::json out = nlohmann::json::array();
      for (const auto& r : repos)
        out.push_back(
            {{"name", r.name},
             {"url", r.url},
             {"created_at", r.created_at},
             {"source", r.source ? nlohmann::json(*r.source) : nlohmann::json()},
             {"database_from_name",
              r.database_from_name ? nlohmann::json(*r.database_from_name) : nlohmann::json()},
             {"format", r.format ? nlohmann::json(*r.format) : nlohmann::json()},
             {"stanza", r.stanza ? nlohmann::json(*r.stanza) : nlohmann::json()}});
      print_json(out);
      return;
    }
    for (const auto& r : repos)
      std::cout << r.name << '\t' << r.url << '\t' << catalog::source_label(r.source) << '\n';
  });

  auto* remove =
      repo->add_subcommand("remove", "forget a repository (its history stays in the catalog)");
  remove->add_option("NAME", opts->name, "repository name")->required();
  remove->callback([&ctx, opts] {
    catalog::remove_repository(ctx.catalog().db(), opts->name);
    if (!ctx.quiet) std::cerr << "removed repository " << opts->name << " (history kept)\n";
  });
}

} // namespace lastgood::cli
