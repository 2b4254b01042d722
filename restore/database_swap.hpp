#pragma once
// The swap of `restore --drop-existing`: once the restored temporary database
// passed every check, the existing database is snapshotted (pg_dump into the
// backup's repository, cataloged), renamed aside to <name>__lastgood_old_<run>
// and the restored one takes its name. Connected sessions are refused, or with
// terminate_connections blocked and terminated (audited). Nothing is dropped.

#include "catalog/backup_queries.hpp"
#include "catalog/database.hpp"
#include "restore/target_server.hpp"

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>

namespace lastgood::restore {

struct SwapRequest
{
  std::int64_t run_id = 0;
  std::string target_database;                // the existing database, and the final name
  std::string temporary_database;             // the restored, checked one
  const catalog::BackupRow* backup = nullptr; // its repository receives the snapshot
  bool safety_snapshot = true;
  bool terminate_connections = false;
};

struct SwapResult
{
  std::string aside_database;
  std::optional<std::string> safety_snapshot; // backup ID
  std::size_t terminated_sessions = 0;
};

// Refuses (Error with exit code 2, nothing changed) when sessions are connected
// to the target database and terminate_connections is not set.
void refuse_connected_sessions(const TargetServer& server, const std::string& database,
                               bool terminate_connections);

// Does the swap. Throws Error when it could not be done; the existing database
// then has its name back (and accepts connections again).
SwapResult swap_into_place(catalog::Database& db, const TargetServer& server,
                           const SwapRequest& request,
                           const std::function<void(std::string_view)>& progress);

// Blocks new connections and terminates the sessions on `database` (audit row
// restore.terminate_sessions first). Returns how many were terminated.
std::size_t block_and_terminate(catalog::Database& db, const TargetServer& server,
                                const std::string& database, std::int64_t run_id);

} // namespace lastgood::restore
