#pragma once
// `restore --rollback RUN`: undoes the swap of a `restore --drop-existing` run
// while the database it renamed aside still exists. The restored database is
// renamed to <name>__lastgood_rolledback_<run> (kept) and the aside one gets
// its name back. Nothing is dropped; the result says how to drop the leftovers.

#include "catalog/database.hpp"

#include <cstdint>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

namespace lastgood::restore {

struct RollbackRequest
{
  std::int64_t run_id = 0;
  std::string to;               // the run's target server (its password is not in the catalog)
  std::string to_flag = "--to"; // the flag that gave it, for hints
  bool terminate_connections = false;
};

struct RollbackResult
{
  std::int64_t run_id = 0;
  std::string target_database;      // has the old data again
  std::string rolled_back_database; // the restored data, kept aside
  std::size_t terminated_sessions = 0;
  std::vector<std::string> drop_statements; // what to run by hand when sure
  std::string message;
};

// Throws UsageError (exit 2) when the run did not swap, was rolled back
// already, targets another server, or its aside database is gone; Error with
// exit 2 when sessions are connected and terminate_connections is not set;
// Error (exit 1) when the server fails (the names are then as they were).
RollbackResult roll_back_restore(catalog::Database& db, const RollbackRequest& request);

nlohmann::json to_json(const RollbackResult& result);

} // namespace lastgood::restore
