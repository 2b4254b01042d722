// wal search --database DB --table SCHEMA.TABLE [--op drop|truncate|delete|update|insert|any]
//            [--after T] [--before T] [--cluster SYSID] [--dbname CONNINFO] [--timeline N]
//            [--json]

#include "cli/context.hpp"
#include "cli/flag_values.hpp"
#include "common/error.hpp"
#include "common/redact.hpp"
#include "restore/wal_search.hpp"

#include <CLI/CLI.hpp>
#include <filesystem>
#include <iostream>

namespace lastgood::cli {

namespace {

struct WalSearchOptions
{
  std::string database, table, op = "any", after, before, cluster, dbname, timeline = "latest";
  bool json = false;
};

void print_text(const restore::WalSearchResult& r)
{
  std::cout << "cluster " << r.system_identifier << ", " << r.database << "." << r.schema << "."
            << r.table << ", operation " << r.op << '\n';
  if (r.identity)
    std::cout << "  relation   OID " << r.identity->oid << ", file " << r.identity->tablespace_oid
              << "/" << r.identity->database_oid << "/" << r.identity->relfilenode << " (from "
              << r.resolved_from << ")\n";
  else
    std::cout << "  relation   NOT RESOLVED\n";
  if (r.first_segment)
    std::cout << "  searched   " << r.segments_scanned << " segment(s) " << *r.first_segment
              << " .. " << *r.last_segment << '\n';
  std::cout << "  segments read: " << r.segments_read << " (from the catalog: " << r.segments_cached
            << ")\n";
  for (const auto& n : r.notes)
    std::cout << "  note: " << n << '\n';
  if (r.resolved && r.hits.empty()) std::cout << "no matching transaction\n";
  for (const auto& h : r.hits) {
    std::cout << '\n'
              << h.operation << "  xid " << h.xid << "  committed "
              << h.commit_time.value_or("(time unknown)") << '\n'
              << "  operations " <<
        [&] {
          std::string s;
          for (const auto& o : h.operations)
            s += (s.empty() ? "" : ", ") + o;
          return s;
        }() << '\n'
              << "  first record " << h.first_lsn.str() << ", commit " << h.commit_lsn.str()
              << ", timeline " << h.timeline << '\n'
              << "  records " << h.records << ", rows inserted " << h.rows_inserted << ", updated "
              << h.rows_updated << ", deleted " << h.rows_deleted << '\n'
              << "  plan       " << h.plan_command << '\n'
              << "  restore    " << h.restore_command << '\n';
  }
}

} // namespace

CLI::App* register_wal_search_command(CLI::App& wal, Context& ctx)
{
  auto o = std::make_shared<WalSearchOptions>();
  auto* cmd = wal.add_subcommand(
      "search", "find the transactions that dropped, truncated or changed a table, in the "
                "archived WAL, with the xid to restore to just before each");
  cmd->add_option("--database", o->database, "the database holding the table")->required();
  cmd->add_option("--table", o->table, "SCHEMA.TABLE (a bare name means public.NAME)")->required();
  cmd->add_option("--op", o->op, "drop | truncate | delete | update | insert | any (default)")
      ->check(CLI::IsMember({"drop", "truncate", "delete", "update", "insert", "any"}));
  cmd->add_option("--after", o->after, "only transactions committed at or after this time")
      ->check(time_value());
  cmd->add_option("--before", o->before, "only transactions committed at or before this time")
      ->check(time_value());
  cmd->add_option("--cluster", o->cluster, "cluster (system identifier); needed with several")
      ->check(system_identifier_value());
  cmd->add_option("--dbname", o->dbname,
                  "connection string of the live server, to resolve the table's name there");
  cmd->add_option("--timeline", o->timeline, "search the history of timeline N (default latest)")
      ->check(timeline_value());
  cmd->add_flag("--json", o->json, "print one JSON document");
  cmd->callback([&ctx, o] {
    restore::WalSearchRequest request;
    request.database = o->database;
    request.table = o->table;
    request.op = o->op;
    if (!o->after.empty()) request.after = restore::parse_target_time(o->after);
    if (!o->before.empty()) request.before = restore::parse_target_time(o->before);
    if (!o->cluster.empty()) request.cluster = o->cluster;
    if (!o->dbname.empty()) request.dbname = o->dbname;
    if (const auto timeline = parse_timeline(o->timeline)) request.timeline = *timeline;
    request.verify = ctx.config().verify;
    if (!ctx.config_flag.empty())
      request.config_path = std::filesystem::absolute(ctx.config_flag).string();
    auto result = restore::search_wal(ctx.catalog().db(), request);
    if (o->json)
      print_json(restore::to_json(result));
    else
      print_text(result);
    if (!result.resolved)
      std::cerr << "lastgood: " << redact(result.notes.empty() ? "" : result.notes.back()) << '\n';
    ctx.exit_code = result.resolved ? kExitOk : kExitProblem;
  });
  return cmd;
}

} // namespace lastgood::cli
