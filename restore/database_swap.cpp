#include "restore/database_swap.hpp"

#include "backup/logical_backup.hpp"
#include "catalog/audit.hpp"
#include "catalog/backup_details.hpp"
#include "catalog/repositories.hpp"
#include "common/error.hpp"
#include "common/redact.hpp"
#include "restore/restore_runs.hpp"
#include "storage/storage.hpp"

namespace lastgood::restore {

namespace {

void report(const std::function<void(std::string_view)>& progress, const std::string& step)
{
  if (progress) progress(step);
}

nlohmann::json sessions_json(const std::vector<Session>& sessions)
{
  nlohmann::json out = nlohmann::json::array();
  for (const auto& s : sessions)
    out.push_back(
        {{"pid", s.pid}, {"user", s.user}, {"application", s.application}, {"client", s.client}});
  return out;
}

// pg_dump of the existing database into the restored backup's repository.
std::string take_safety_snapshot(catalog::Database& db, const TargetServer& server,
                                 const SwapRequest& r)
{
  auto repository = catalog::find_repository(db, r.backup->repository);
  if (!repository)
    throw RestoreError("repository '" + r.backup->repository +
                       "' is no longer registered: nowhere to put the safety snapshot");
  catalog::write_audit(db, "restore.safety_snapshot", r.target_database, catalog::Severity::Info,
                       {{"run", r.run_id}, {"repository", repository->name}, {"skipped", false}});
  auto storage = storage::open_storage(repository->url);
  backup::BackupRequest request;
  request.conninfo = server.conninfo(r.target_database);
  request.label = "safety-before-restore-" + std::to_string(r.run_id);
  backup::BackupResult taken;
  try {
    taken = backup::take_logical_backup(db, *repository, *storage, request);
  } catch (const Error& e) {
    throw RestoreError("the safety snapshot of database '" + r.target_database +
                       "' failed: " + redact(e.what()) +
                       "; nothing was swapped. Fix that, or restore again with "
                       "--no-safety-snapshot if you have another copy");
  }
  if (!taken.problem.empty())
    throw RestoreError("the safety snapshot " + taken.backup_id + " of database '" +
                       r.target_database + "' looks wrong (" + taken.problem +
                       "); nothing was swapped");
  auto row = catalog::find_backup(db, taken.backup_id);
  if (row) {
    catalog::set_backup_label(db, row->id,
                              "safety snapshot before restore run " + std::to_string(r.run_id));
    set_safety_snapshot(db, r.run_id, row->id);
  }
  return taken.backup_id;
}

} // namespace

void refuse_connected_sessions(const TargetServer& server, const std::string& database,
                               bool terminate_connections)
{
  if (terminate_connections) return;
  auto sessions = server.sessions(database);
  if (sessions.empty()) return;
  throw Error("database " + database + " on " + server.display() + " has " +
                  describe_sessions(sessions) +
                  " connected; nothing was changed. Stop them, or restore again with "
                  "--terminate-connections to disconnect them",
              kExitUsage);
}

std::size_t block_and_terminate(catalog::Database& db, const TargetServer& server,
                                const std::string& database, std::int64_t run_id)
{
  auto sessions = server.sessions(database);
  catalog::write_audit(db, "restore.terminate_sessions", database, catalog::Severity::Warning,
                       {{"run", run_id},
                        {"target", server.display()},
                        {"sessions", sessions_json(sessions)},
                        {"blocks_new_connections", true}});
  server.set_allow_connections(database, false);
  const auto n = server.terminate_sessions(database);
  set_terminated_sessions(db, run_id, static_cast<std::int64_t>(n));
  return n;
}

SwapResult swap_into_place(catalog::Database& db, const TargetServer& server, const SwapRequest& r,
                           const std::function<void(std::string_view)>& progress)
{
  SwapResult result;
  const auto& name = r.target_database;
  refuse_connected_sessions(server, name, r.terminate_connections);
  result.aside_database = aside_database_name(name, r.run_id);
  if (server.database_exists(result.aside_database))
    throw RestoreError("database " + result.aside_database + " already exists on " +
                       server.display() + "; nothing was swapped");
  if (r.safety_snapshot) {
    report(progress, "safety snapshot of " + name + " (pg_dump into " + r.backup->repository + ")");
    result.safety_snapshot = take_safety_snapshot(db, server, r);
  } else {
    catalog::write_audit(db, "restore.safety_snapshot", name, catalog::Severity::Warning,
                         {{"run", r.run_id}, {"skipped", true}, {"why", "--no-safety-snapshot"}});
  }
  bool blocked = false;
  auto unblock = [&](const std::string& database) {
    if (!blocked) return;
    try {
      server.set_allow_connections(database, true);
    } catch (const std::exception&) {
      // Reported through the swap's own message; the database itself is intact.
    }
  };
  if (r.terminate_connections) {
    report(progress, "blocking new connections to " + name + " and terminating its sessions");
    blocked = true;
    try {
      result.terminated_sessions = block_and_terminate(db, server, name, r.run_id);
    } catch (...) {
      unblock(name);
      throw;
    }
  }
  set_aside_database(db, r.run_id, result.aside_database);
  catalog::write_audit(
      db, "restore.swap", name, catalog::Severity::Warning,
      {{"run", r.run_id},
       {"target", server.display()},
       {"aside_database", result.aside_database},
       {"temporary_database", r.temporary_database},
       {"safety_snapshot",
        result.safety_snapshot ? nlohmann::json(*result.safety_snapshot) : nlohmann::json()}});
  report(progress, "renaming " + name + " to " + result.aside_database);
  try {
    server.rename_database(name, result.aside_database);
  } catch (...) {
    unblock(name);
    throw;
  }
  report(progress, "renaming " + r.temporary_database + " to " + name);
  try {
    server.rename_database(r.temporary_database, name);
  } catch (const Error& e) {
    std::string back = "the existing database has its name back";
    try {
      server.rename_database(result.aside_database, name);
      unblock(name);
    } catch (const std::exception& again) {
      back = "COULD NOT rename " + result.aside_database + " back to " + name + " (" +
             redact(again.what()) + "): do it by hand with ALTER DATABASE " +
             result.aside_database + " RENAME TO " + name;
    }
    throw RestoreError(std::string(redact(e.what())) + "; " + back);
  }
  unblock(result.aside_database);
  mark_swapped(db, r.run_id);
  return result;
}

} // namespace lastgood::restore
