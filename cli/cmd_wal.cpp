// wal [--cluster SYSID] [--json]: timelines, archived ranges, gaps
// (wal search: cmd_wal_search.cpp)

#include "catalog/wal_summary.hpp"
#include "cli/context.hpp"
#include "cli/flag_values.hpp"
#include "common/error.hpp"
#include "common/printable_name.hpp"
#include "pg/lsn.hpp"

#include <CLI/CLI.hpp>
#include <iostream>

namespace lastgood::cli {

namespace {

struct WalOptions
{
  std::string cluster;
  bool json = false;
};

void print_text(const std::vector<catalog::ClusterWal>& clusters)
{
  if (clusters.empty()) std::cout << "no archived WAL or base backup in the catalog\n";
  for (const auto& c : clusters) {
    std::cout << "cluster " << c.system_identifier.value_or("(unknown: segment headers unreadable)")
              << ", segment size " << human_bytes(c.segment_size) << '\n';
    for (const auto& t : c.timelines) {
      std::cout << "  timeline " << t.timeline;
      if (t.parent)
        std::cout << " (from timeline " << *t.parent << " at " << pg::Lsn{*t.switch_lsn}.str()
                  << ")";
      std::cout << ": " << t.segments << " segments";
      if (t.partial_segments) std::cout << ", " << t.partial_segments << " partial";
      std::cout << '\n';
      for (const auto& r : t.ranges)
        std::cout << "    have " << r.first_name << " .. " << r.last_name << " ("
                  << r.last_segno - r.first_segno + 1 << ")\n";
      for (const auto& g : t.gaps)
        std::cout << "    GAP  " << g.first_name << " .. " << g.last_name << " ("
                  << g.last_segno - g.first_segno + 1 << " missing)\n";
    }
    for (const auto& b : c.backups)
      std::cout << "  base backup " << b.backup_id << " (" << b.status << ") needs " << b.first
                << " .. " << b.last << ": required WAL complete: "
                << (!b.complete ? "no (missing " + *b.missing + ")"
                    : b.from_backup.empty()
                        ? std::string("yes")
                        : "yes (from the backup itself: " + std::to_string(b.from_backup.size()) +
                              " segment(s) not in the archive)")
                << (b.backup_type
                        ? " [pgbackrest " + *b.backup_type + " " + b.label.value_or("?") + "]"
                        : std::string())
                << '\n';
    for (const auto& f : c.foreign_segments)
      std::cout << "  FOREIGN " << f.repository << ": " << printable_name(f.key)
                << " sits among segments of cluster " << f.directory_cluster
                << "; never used for recovery\n";
    for (const auto& p : c.problems)
      std::cout << "  PROBLEM " << p << '\n';
  }
}

} // namespace

void register_wal_command(CLI::App& app, Context& ctx)
{
  auto opts = std::make_shared<WalOptions>();
  auto* wal = app.add_subcommand("wal", "timelines, archived WAL ranges and gaps");
  wal->add_option("--cluster", opts->cluster, "only this cluster (system identifier)")
      ->check(system_identifier_value());
  wal->add_flag("--json", opts->json, "print one JSON document");
  auto* search = register_wal_search_command(*wal, ctx);
  wal->callback([&ctx, opts, search] {
    if (search->parsed()) return;
    std::optional<std::string> cluster;
    if (!opts->cluster.empty()) cluster = opts->cluster;
    auto clusters = catalog::wal_summary(ctx.catalog().db(), cluster);
    if (opts->json) {
      nlohmann::json out = nlohmann::json::array();
      for (const auto& c : clusters)
        out.push_back(catalog::to_json(c));
      print_json({{"clusters", out}, {"gaps", catalog::has_gaps(clusters)}});
    } else {
      print_text(clusters);
    }
    ctx.exit_code = catalog::has_problems(clusters) ? kExitProblem : kExitOk;
  });
}

} // namespace lastgood::cli
