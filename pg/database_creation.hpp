#pragma once
// A CREATE DATABASE sent by a lastgood that was killed keeps running in its
// backend: the server finishes the statement before it notices the client is
// gone, so the database appears only after the next run looked for leftovers
// and stays for good. Cleanup code ends such statements first (the creation
// rolls back) so that what exists afterwards is what it sees.

#include <cstdint>
#include <pqxx/connection>
#include <string>
#include <string_view>
#include <vector>

namespace lastgood::pg {

struct DatabaseCreation
{
  std::int64_t backend_pid = 0;
  std::string database; // the name being created
};

// Other backends running `CREATE DATABASE "<name>" ...` (as lastgood writes
// it) for a name starting with `name_prefix`.
std::vector<DatabaseCreation> databases_being_created(pqxx::connection& connection,
                                                      std::string_view name_prefix);

// pg_terminate_backend on each, then waits (up to 10 s) until they have
// exited. Throws DatabaseError when the role may not signal them or one stays.
void end_database_creations(pqxx::connection& connection,
                            const std::vector<DatabaseCreation>& creations);

} // namespace lastgood::pg
