#pragma once
// The server a logical restore writes to (--to): existence checks, and the
// temporary database a restore goes into before it is renamed to its final
// name. lastgood only ever drops databases it created itself in this run,
// recognisable by kTemporaryMarker in their name.

#include "pg/conninfo.hpp"

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace lastgood::restore {

inline constexpr const char* kTemporaryMarker = "__lastgood_";
// PostgreSQL truncates longer identifiers (NAMEDATALEN - 1).
inline constexpr std::size_t kMaxDatabaseName = 63;

// "<name><suffix>", the name cut (at a UTF-8 boundary) so it fits in 63 bytes.
std::string suffixed_database_name(const std::string& name, const std::string& suffix);
// "<name>__lastgood_<run>": where a restore goes before it is checked.
std::string temporary_database_name(const std::string& name, std::int64_t run_id);
// "<name>__lastgood_old_<run>": the existing database, kept aside by a swap.
std::string aside_database_name(const std::string& name, std::int64_t run_id);
// "<name>__lastgood_rolledback_<run>": the restored database after a rollback.
std::string rolled_back_database_name(const std::string& name, std::int64_t run_id);

// A session connected to a database (pg_stat_activity), never our own.
struct Session
{
  std::int64_t pid = 0;
  std::string user;
  std::string application;
  std::string client; // address, or "local"
};
// "2 sessions (users app, batch; applications web, psql)".
std::string describe_sessions(const std::vector<Session>& sessions);

// A libpq connection string with its password (if any) taken out, for child
// processes that get the password through PGPASSWORD instead of argv.
using pg::split_password;
using pg::SplitConninfo;

class TargetServer
{
public:
  // named_by: the flag that gave the connection string, named in connection errors.
  explicit TargetServer(std::string conninfo, std::string named_by = "--to");

  // A connection string for dbname on this server (password included).
  std::string conninfo(const std::string& dbname) const;
  // For humans and catalog rows: redacted.
  std::string display() const;

  // Connects to the maintenance database; throws DatabaseError when unreachable.
  bool database_exists(const std::string& name) const;
  void create_database(const std::string& name) const;
  // Ends a CREATE DATABASE of exactly `name` that another backend is still
  // running (a killed run's; see pg/database_creation.hpp). Returns whether there was one.
  bool end_unfinished_creation(const std::string& name) const;
  // DROP DATABASE ... WITH (FORCE); refuses names without kTemporaryMarker.
  void drop_temporary_database(const std::string& name) const;
  // ALTER DATABASE from RENAME TO to: fails (DatabaseError) if `to` exists
  // or anyone is connected to `from`.
  void rename_database(const std::string& from, const std::string& to) const;

  // Sessions connected to `name`, other than this process's own.
  std::vector<Session> sessions(const std::string& name) const;
  // ALTER DATABASE ... WITH ALLOW_CONNECTIONS true|false.
  void set_allow_connections(const std::string& name, bool allow) const;
  // pg_terminate_backend on every session of `name`, then waits (up to 10 s)
  // until they are gone. Throws DatabaseError when one stays. Returns how many.
  std::size_t terminate_sessions(const std::string& name) const;
  // pg_database_size; nullopt when it does not exist.
  std::optional<std::int64_t> database_size(const std::string& name) const;

private:
  std::string m_conninfo;
  std::string m_named_by;
};

// Created in the constructor; dropped by the destructor unless keep() was called
// (the restore passed and the database was renamed).
class TemporaryDatabase
{
public:
  TemporaryDatabase(const TargetServer& server, std::string name);
  ~TemporaryDatabase();
  TemporaryDatabase(const TemporaryDatabase&) = delete;
  TemporaryDatabase& operator=(const TemporaryDatabase&) = delete;

  const std::string& name() const { return m_name; }
  void keep() { m_keep = true; }
  // Drops it now; throws when it cannot (the destructor swallows errors).
  void drop();

private:
  const TargetServer& m_server;
  std::string m_name;
  bool m_keep = false;
  bool m_dropped = false;
};

} // namespace lastgood::restore
