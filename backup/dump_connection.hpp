#pragma once
// Connection details for running pg_dump without a secret on its command line
// (visible to every local user in ps): the password moves to PGPASSWORD.

#include <optional>
#include <string>
#include <utility>
#include <vector>

namespace lastgood::backup {

struct DumpConnection
{
  std::string conninfo;                                 // key='value' pairs, without the password
  std::vector<std::pair<std::string, std::string>> env; // PGPASSWORD when one was given
  std::string snapshot; // set: pg_dump --snapshot (the fingerprint's snapshot)
};

// Parses a libpq connection string or URI. Throws UsageError (redacted) when
// libpq cannot parse it.
DumpConnection dump_connection(const std::string& conninfo);

// Asks the server which database the connection string reaches. Throws
// DatabaseError (redacted) when it cannot connect.
std::string current_database(const std::string& conninfo);

// The server's system identifier (pg_control_system()): which server a dump
// comes from. nullopt, with a warning, when the server will not say (the
// backup does not depend on it).
std::optional<std::string> server_system_identifier(const std::string& conninfo);

} // namespace lastgood::backup
