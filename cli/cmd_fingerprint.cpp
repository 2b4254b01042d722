// fingerprint --dbname CONNSTR [--mode counts|full] [--json]
// The source fingerprint of a database as it is now (one snapshot): usable
// beside any backup tool, and what `backup` stores with each dump.

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
  std::string dbname, mode = "counts";
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
  return {{"mode", pg::to_string(f.mode)}, {"wal_lsn", f.wal_lsn}, {"tables", tables}};
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
  cmd->add_flag("--json", o->json, "print one JSON document");
  cmd->callback([&ctx, o] {
    const auto f = pg::fingerprint_database(o->dbname, pg::parse_fingerprint_mode(o->mode));
    if (o->json) {
      print_json(to_json(f));
    } else {
      for (const auto& t : f.tables) {
        char rows[32];
        std::snprintf(rows, sizeof rows, "%14lld", static_cast<long long>(t.rows));
        std::cout << rows << "  " << t.schema_name << "." << t.table_name;
        if (t.content_hash) std::cout << "  " << *t.content_hash;
        std::cout << '\n';
      }
      std::cout << f.tables.size() << " tables"
                << (f.wal_lsn.empty() ? "" : ", at WAL " + f.wal_lsn) << '\n';
    }
    ctx.exit_code = kExitOk;
  });
}

} // namespace lastgood::cli
