// backups [--database DB] [--source NAME] [--cluster SYSID] [--json]
// show ID|--backup ID [--objects] [--json]

#include "catalog/backup_object_summary.hpp"
#include "catalog/backup_queries.hpp"
#include "catalog/repositories.hpp"
#include "catalog/verification_runs.hpp"
#include "cli/context.hpp"
#include "cli/flag_values.hpp"
#include "common/error.hpp"
#include "common/printable_name.hpp"
#include "common/text_table.hpp"
#include "pg/lsn.hpp"

#include <CLI/CLI.hpp>
#include <algorithm>
#include <iomanip>
#include <iostream>
#include <sstream>

namespace lastgood::cli {

namespace {

struct BackupsOptions
{
  std::string database, cluster, source, id, backup;
  bool json = false;
  bool all_objects = false;
};

std::string lsn_text(const std::optional<std::int64_t>& v)
{
  return v ? pg::Lsn{static_cast<std::uint64_t>(*v)}.str() : "-";
}

std::string what(const catalog::BackupRow& b)
{
  // Dumps of a named source show it: shop of two servers is two things.
  if (b.kind == "logical") return (b.source ? *b.source + "/" : "") + b.database.value_or("?");
  return "cluster " + b.system_identifier.value_or("?") +
         ((b.backup_type || b.format == "barman") && b.label ? " " + *b.label : "");
}

// "pgbackrest incr": another tool's backups say what they depend on.
std::string format_text(const catalog::BackupRow& b)
{
  return b.backup_type ? b.format + " " + *b.backup_type : b.format;
}

void print_table(const std::vector<catalog::BackupRow>& rows)
{
  TextTable table({"ID", "STATUS", "FORMAT", "DATABASE/CLUSTER", "TIME", "SIZE", "LSN (TLI)"});
  for (const auto& b : rows) {
    std::string status = catalog::status_text(b);
    if (b.missing_since)
      status = "MISSING";
    else if (b.problem)
      status += "!";
    std::string lsn = b.kind == "physical"
                          ? lsn_text(b.start_lsn) + "-" + lsn_text(b.stop_lsn) + " (" +
                                (b.timeline ? std::to_string(*b.timeline) : "?") + ")"
                          : "";
    table.add_row({b.backup_id, status, format_text(b), what(b),
                   b.start_time.value_or(b.stop_time.value_or("-")), human_bytes(b.size_bytes),
                   lsn});
  }
  table.print(std::cout);
  std::cout << rows.size() << " backups";
  std::size_t flagged = 0;
  for (const auto& b : rows)
    flagged += (b.problem || b.missing_since) ? 1 : 0;
  if (flagged)
    std::cout << ", " << flagged << " with problems (marked ! or MISSING; see 'lastgood show ID')";
  std::cout << '\n';
}

// More objects than this are summarised unless --objects asks for the list.
constexpr std::size_t kObjectsListedInFull = 20;

void print_object_rows(const std::vector<catalog::BackupObjectRow>& objects)
{
  TextTable object_table;
  for (const auto& o : objects) {
    std::string notes;
    if (o.missing_since) notes += "MISSING since " + *o.missing_since;
    if (o.problem)
      notes += (notes.empty() ? "" : "  ") + ("PROBLEM: " + with_printable_name(*o.problem, o.key));
    object_table.add_row({o.role, human_bytes(o.size),
                          o.sha256 ? o.sha256->substr(0, 16) : "(unread)", printable_name(o.key),
                          notes});
  }
  object_table.print(std::cout, "  ");
}

void print_object_summary(const std::string& backup_id,
                          const std::vector<catalog::BackupObjectRow>& objects)
{
  const auto s = catalog::summarise_objects(objects);
  std::cout << "\nobjects: " << s.count << ", " << human_bytes(s.bytes)
            << " (the full list: lastgood show " << backup_id << " --objects)\n";
  TextTable groups({"ROLE", "KIND", "COUNT", "SIZE"});
  for (const auto& g : s.groups)
    groups.add_row({g.role, g.kind, std::to_string(g.count), human_bytes(g.bytes)});
  groups.print(std::cout, "  ");
  if (s.first_wal)
    std::cout << "  WAL carried: " << s.wal_files << (s.wal_files == 1 ? " file, " : " files, ")
              << *s.first_wal << " .. " << *s.last_wal << '\n';
  if (!s.flagged.empty()) {
    std::cout << "  missing or with a problem (" << s.flagged.size() << "):\n";
    print_object_rows(s.flagged);
  }
}

void print_show(const catalog::BackupRow& b, const std::vector<catalog::BackupObjectRow>& objects,
                const std::vector<catalog::RunRecord>& runs, bool all_objects)
{
  auto line = [](const char* k, const std::string& v) {
    std::cout << padded_cell(k, 16) << v << '\n';
  };
  line("ID", b.backup_id);
  line("status",
       catalog::status_text(b) +
           (b.last_check == "error" ? " — the newest run could not check it; see below" : ""));
  line("repository", b.repository + ": " + printable_name(b.root_key));
  line("kind", b.kind + " (" + b.format + ")");
  line("source", catalog::source_label(b.source));
  if (b.database) line("database", *b.database);
  if (b.system_identifier) line("cluster", *b.system_identifier);
  if (b.label) line("label", *b.label);
  if (b.backup_type) line("type", *b.backup_type);
  if (b.prior_label) line("prior", *b.prior_label);
  if (!b.references.empty()) {
    std::string all;
    for (const auto& r : b.references)
      all += (all.empty() ? "" : " ") + r;
    line("references", all + " (its files are read from these backups too)");
  }
  if (b.start_time) line("start time", *b.start_time);
  if (b.stop_time) line(b.kind == "logical" ? "written" : "stop time", *b.stop_time);
  if (b.kind == "physical") {
    line("start LSN", lsn_text(b.start_lsn) + " on timeline " +
                          (b.timeline ? std::to_string(*b.timeline) : "?"));
    line("stop LSN",
         lsn_text(b.stop_lsn) +
             (b.stop_timeline ? " on timeline " + std::to_string(*b.stop_timeline) : ""));
  }
  if (b.server_version) line("server", *b.server_version);
  if (b.tool_version) line(b.kind == "logical" ? "pg_dump" : "tool", *b.tool_version);
  if (b.compression) line("compression", *b.compression);
  line("size", human_bytes(b.size_bytes) + " in " + std::to_string(b.object_count) + " objects");
  if (b.missing_since)
    line("MISSING since",
         *b.missing_since + " (" + std::to_string(b.objects_missing) + " objects)");
  if (b.problem) line("PROBLEM", *b.problem);
  if (all_objects || objects.size() <= kObjectsListedInFull) {
    std::cout << "\nobjects:\n";
    print_object_rows(objects);
  } else {
    print_object_summary(b.backup_id, objects);
  }
  std::cout << "\nverification history:" << (runs.empty() ? " none yet" : "") << '\n';
  TextTable run_table;
  for (const auto& r : runs) {
    std::ostringstream seconds;
    if (r.duration_seconds)
      seconds << std::fixed << std::setprecision(1) << *r.duration_seconds << " s";
    run_table.add_row({"run " + std::to_string(r.id), r.level, r.outcome, r.started_at,
                       seconds.str(),
                       r.findings ? std::to_string(r.findings) + " findings (lastgood history " +
                                        b.backup_id + " --json)"
                                  : ""});
  }
  run_table.print(std::cout, "  ");
}

} // namespace

void register_backup_list_commands(CLI::App& app, Context& ctx)
{
  auto opts = std::make_shared<BackupsOptions>();
  auto* backups = app.add_subcommand("backups", "list backups with their status");
  backups->add_option("--database", opts->database, "only this database");
  backups->add_option("--cluster", opts->cluster, "only this cluster (system identifier)")
      ->check(system_identifier_value());
  backups->add_option("--source", opts->source,
                      "only backups from this source ('default': of no named source)");
  backups->add_flag("--json", opts->json, "print one JSON document");
  backups->callback([&ctx, opts] {
    catalog::BackupFilter filter;
    if (!opts->database.empty()) filter.database = opts->database;
    if (!opts->cluster.empty()) filter.cluster = opts->cluster;
    if (!opts->source.empty()) filter.source = opts->source;
    auto rows = catalog::list_backups(ctx.catalog().db(), filter);
    if (opts->json) {
      nlohmann::json out = nlohmann::json::array();
      for (const auto& r : rows)
        out.push_back(catalog::to_json(r));
      print_json({{"backups", out}});
    } else {
      print_table(rows);
    }
  });

  auto* show = app.add_subcommand("show", "one backup, its objects and its verification history");
  show->add_option("ID", opts->id, "backup ID (or an unambiguous prefix)")
      ->check(backup_id_value());
  show->add_option("--backup", opts->backup, "the backup, as ID gives it")
      ->check(backup_id_value());
  show->add_flag("--objects", opts->all_objects,
                 "list every object (a large backup's are otherwise summarised)");
  show->add_flag("--json", opts->json, "print one JSON document (always every object)");
  show->callback([&ctx, opts] {
    if (opts->id.empty() == opts->backup.empty())
      throw UsageError("show needs the backup: give its ID or --backup ID, one of them");
    if (opts->id.empty()) opts->id = opts->backup;
    auto& db = ctx.catalog().db();
    auto backup = catalog::find_backup(db, opts->id);
    if (!backup) throw UsageError("no backup with ID '" + opts->id + "' (see 'lastgood backups')");
    auto objects = catalog::backup_objects(db, backup->id);
    auto runs = catalog::list_runs(db, backup->id);
    if (opts->json) {
      auto out = catalog::to_json(*backup);
      out["objects"] = nlohmann::json::array();
      for (const auto& o : objects)
        out["objects"].push_back(catalog::to_json(o));
      out["verification_runs"] = nlohmann::json::array();
      for (const auto& r : runs)
        out["verification_runs"].push_back(catalog::run_with_findings_json(db, r));
      print_json(out);
    } else {
      print_show(*backup, objects, runs, opts->all_objects);
    }
  });
}

} // namespace lastgood::cli
