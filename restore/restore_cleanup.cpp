#include "restore/restore_cleanup.hpp"

#include "catalog/audit.hpp"
#include "common/redact.hpp"
#include "restore/restore_runs.hpp"

namespace lastgood::restore {

namespace {

// The halfway swap: the old database is aside and nothing has its name.
bool give_the_name_back(catalog::Database& db, const TargetServer& server,
                        const RestoreRunRecord& run, std::vector<std::string>& done)
{
  if (!run.aside_database || run.swapped_at) return false;
  if (server.database_exists(run.target_database) || !server.database_exists(*run.aside_database))
    return false;
  catalog::write_audit(db, "restore.cleanup", run.target_database, catalog::Severity::Warning,
                       {{"run", run.id},
                        {"action", "rename"},
                        {"from", *run.aside_database},
                        {"to", run.target_database}});
  server.rename_database(*run.aside_database, run.target_database);
  server.set_allow_connections(run.target_database, true);
  done.push_back("restore run " + std::to_string(run.id) + ": renamed " + *run.aside_database +
                 " back to " + run.target_database);
  return true;
}

} // namespace

std::vector<std::string> clean_up_interrupted_restores(catalog::Database& db,
                                                       const TargetServer& server)
{
  std::vector<std::string> done;
  for (const auto& run : interrupted_restore_runs(db, server.display())) {
    std::string message = "interrupted: process " + std::to_string(run.pid) + " on " + run.host +
                          " ended before the restore finished";
    if (give_the_name_back(db, server, run, done))
      message += "; " + *run.aside_database + " renamed back to " + run.target_database;
    const auto& temp = run.temporary_database;
    // Only the run's own temporary database, never the name it was to take;
    // a creation the dead run left running would make it appear after this look.
    const bool ours =
        temp && temp->find(kTemporaryMarker) != std::string::npos && *temp != run.target_database;
    if (ours) server.end_unfinished_creation(*temp);
    if (ours && server.database_exists(*temp)) {
      catalog::write_audit(db, "restore.cleanup", *temp, catalog::Severity::Warning,
                           {{"run", run.id}, {"action", "drop"}, {"database", *temp}});
      server.drop_temporary_database(*temp);
      done.push_back("restore run " + std::to_string(run.id) + ": dropped its temporary database " +
                     *temp);
      message += "; its temporary database " + *temp + " was dropped";
    }
    mark_interrupted(db, run.id, message);
    done.push_back("restore run " + std::to_string(run.id) + " marked error (interrupted)");
  }
  return done;
}

} // namespace lastgood::restore
