#include "restore/rollback.hpp"

#include "catalog/audit.hpp"
#include "common/error.hpp"
#include "common/redact.hpp"
#include "pg/pg_connection.hpp"
#include "restore/database_swap.hpp"
#include "restore/restore_runs.hpp"
#include "restore/target_server.hpp"

namespace lastgood::restore {

namespace {

RestoreRunRecord swapped_run(catalog::Database& db, const RollbackRequest& r,
                             const TargetServer& server)
{
  auto run = find_restore_run(db, r.run_id);
  const auto id = std::to_string(r.run_id);
  if (!run) throw UsageError("no restore run " + id + " in the catalog");
  if (!run->swapped_at || !run->aside_database)
    throw UsageError("restore run " + id + " did not swap databases (outcome " + run->outcome +
                     (run->drop_existing ? "" : ", no --drop-existing") +
                     "): there is nothing to roll back");
  if (run->rolled_back_at)
    throw UsageError("restore run " + id + " was rolled back already at " + *run->rolled_back_at);
  if (server.display() != run->target)
    throw UsageError("restore run " + id + " restored to " + run->target + ", not to " +
                     server.display() + "; give the same --to as that restore");
  if (!server.database_exists(*run->aside_database))
    throw UsageError("database " + *run->aside_database + " that restore run " + id +
                     " renamed aside no longer exists on " + server.display() +
                     ": nothing to roll back to. Its safety snapshot, if any, is backup " +
                     run->safety_snapshot.value_or("(none)"));
  return *run;
}

} // namespace

RollbackResult roll_back_restore(catalog::Database& db, const RollbackRequest& r)
{
  TargetServer server(r.to, r.to_flag);
  const auto run = swapped_run(db, r, server);
  const auto& name = run.target_database;
  const auto& aside = *run.aside_database;
  RollbackResult result;
  result.run_id = run.id;
  result.target_database = name;
  result.rolled_back_database = rolled_back_database_name(name, run.id);
  if (server.database_exists(result.rolled_back_database))
    throw UsageError("database " + result.rolled_back_database + " already exists on " +
                     server.display() + "; rename or drop it first");
  const bool current = server.database_exists(name);
  if (current) refuse_connected_sessions(server, name, r.terminate_connections);
  refuse_connected_sessions(server, aside, r.terminate_connections);

  catalog::write_audit(
      db, "restore.rollback", name, catalog::Severity::Warning,
      {{"run", run.id},
       {"target", server.display()},
       {"aside_database", aside},
       {"rolled_back_database",
        current ? nlohmann::json(result.rolled_back_database) : nlohmann::json()}});
  std::vector<std::string> blocked;
  auto unblock_all = [&] {
    for (const auto& database : blocked) {
      try {
        server.set_allow_connections(database, true);
      } catch (const std::exception&) {
        // Named in no message: the database is intact, only its flag stays.
      }
    }
  };
  if (r.terminate_connections) {
    for (const auto& database : {name, aside}) {
      if (database == name && !current) continue;
      if (server.sessions(database).empty()) continue;
      blocked.push_back(database);
      result.terminated_sessions += block_and_terminate(db, server, database, run.id);
    }
  }
  if (current) {
    try {
      server.rename_database(name, result.rolled_back_database);
    } catch (...) {
      unblock_all();
      throw;
    }
  }
  try {
    server.rename_database(aside, name);
  } catch (const Error& e) {
    std::string back;
    if (current) {
      try {
        server.rename_database(result.rolled_back_database, name);
        back = "; the restored database has its name back";
      } catch (const std::exception& again) {
        back = "; COULD NOT rename " + result.rolled_back_database + " back to " + name + " (" +
               redact(again.what()) + "): do it by hand";
      }
    }
    unblock_all();
    throw DatabaseError(std::string(redact(e.what())) + back);
  }
  // Both databases accept connections again under their new names.
  for (auto& database : blocked)
    database = database == name ? result.rolled_back_database : name;
  unblock_all();
  mark_rolled_back(db, run.id, current ? result.rolled_back_database : "");
  if (current)
    result.drop_statements.push_back("DROP DATABASE " +
                                     pg::quote_ident(result.rolled_back_database) + ";");
  result.message =
      "rolled back restore run " + std::to_string(run.id) + ": database " + name +
      " holds what it held before the restore again" +
      (current ? "; the restored one is kept as " + result.rolled_back_database : std::string());
  return result;
}

nlohmann::json to_json(const RollbackResult& r)
{
  return {{"run", r.run_id},
          {"target_database", r.target_database},
          {"rolled_back_database", r.rolled_back_database},
          {"terminated_sessions", r.terminated_sessions},
          {"drop_statements", r.drop_statements},
          {"message", redact(r.message)}};
}

} // namespace lastgood::restore
