// fingerprint --dbname CONNSTR [--mode counts|full] [--snapshot ID] [--attach BACKUP] [--json]
// The source fingerprint of a database as it is now (one snapshot): usable
// beside any backup tool, and what `backup` stores with each dump.

#include "backup/source_fingerprint.hpp"
#include "cli/context.hpp"
#include "common/error.hpp"
#include "pg/table_fingerprint.hpp"

#include <CLI/CLI.hpp>
#include <cstdio>
#include <iostream>

namespace lastgood::cli {

namespace {

struct FingerprintCliOptions
{
  std::string dbname, mode = "counts", snapshot, attach;
  bool json = false;
};

nlohmann::json to_json(const pg::DatabaseFingerprint& f)
{
  nlohmann::json tables = nlohmann::json::array();
  for (const auto& t : f.tables) {
    nlohmann::json row = {{"schema", t.schema_name}, {"table", t.table_name}, {"rows", t.rows}};
    if (t.content_hash) row["content_hash"] = *t.content_hash;
    tables.push_back(row);
  }
  nlohmann::json doc = {{"mode", pg::to_string(f.mode)},
                        {"database", f.database_name},
                        {"wal_lsn", f.wal_lsn},
                        {"exact_lsn", f.exact_lsn},
                        {"tables", tables}};
  if (!f.lsn_note.empty()) doc["lsn_note"] = f.lsn_note;
  return doc;
}

} // namespace

void register_fingerprint_command(CLI::App& app, Context& ctx)
{
  auto o = std::make_shared<FingerprintCliOptions>();
  auto* cmd = app.add_subcommand(
      "fingerprint", "row count (and, with --mode full, a content hash) of every table of a "
                     "database, read in one snapshot");
  cmd->add_option("--dbname", o->dbname, "connection string or URI of the database")->required();
  cmd->add_option("--mode", o->mode,
                  "counts: exact row counts; full: also an order-independent hash of each "
                  "table's rows (reads every row)")
      ->check(CLI::IsMember({"counts", "full"}));
  cmd->add_option("--snapshot", o->snapshot,
                  "read as of this exported snapshot (pg_export_snapshot(), the one another "
                  "tool gave pg_dump --snapshot)");
  cmd->add_option("--attach", o->attach,
                  "record it as the source fingerprint of this backup (ID or unique prefix); "
                  "its test restores are then compared with it");
  cmd->add_flag("--json", o->json, "print one JSON document");
  cmd->callback([&ctx, o] {
    const auto mode = pg::parse_fingerprint_mode(o->mode);
    std::string attached;
    pg::DatabaseFingerprint f;
    if (o->attach.empty()) {
      f = backup::fingerprint_source(o->dbname, mode, o->snapshot);
    } else {
      auto a = backup::attach_source_fingerprint(ctx.catalog().db(),
                                                 {o->dbname, mode, o->snapshot, o->attach});
      f = std::move(a.fingerprint);
      attached = a.backup_id + (a.replaced ? " (replacing its earlier one)" : "");
    }
    if (o->json) {
      auto doc = to_json(f);
      if (!attached.empty()) doc["attached_to"] = attached;
      print_json(doc);
    } else {
      for (const auto& t : f.tables) {
        char rows[32];
        std::snprintf(rows, sizeof rows, "%14lld", static_cast<long long>(t.rows));
        std::cout << rows << "  " << t.schema_name << "." << t.table_name;
        if (t.content_hash) std::cout << "  " << *t.content_hash;
        std::cout << '\n';
      }
      std::cout << f.tables.size() << " tables";
      if (f.exact_lsn)
        std::cout << ", exactly at WAL " << f.wal_lsn
                  << " (the snapshot of a temporary logical replication slot)";
      else if (!f.wal_lsn.empty())
        std::cout << ", at WAL " << f.wal_lsn << " (approximate)";
      std::cout << '\n';
      if (!f.lsn_note.empty()) std::cout << f.lsn_note << '\n';
      if (!attached.empty())
        std::cout << "recorded as the source fingerprint of " << attached << '\n';
    }
    ctx.exit_code = kExitOk;
  });
}

} // namespace lastgood::cli
