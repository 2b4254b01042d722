#pragma once
// The server a logical restore writes to (--to): existence checks, and the
// temporary database a restore goes into before it is renamed to its final
// name. lastgood only ever drops databases it created itself in this run,
// recognisable by kTemporaryMarker in their name.

#include "pg/conninfo.hpp"

#include <string>

namespace lastgood::restore {

inline constexpr const char* kTemporaryMarker = "__lastgood_";
// PostgreSQL truncates longer identifiers (NAMEDATALEN - 1).
inline constexpr std::size_t kMaxDatabaseName = 63;

// "<name>__lastgood_<run>", the name cut (at a UTF-8 boundary) so it fits.
std::string temporary_database_name(const std::string& name, std::int64_t run_id);

// A libpq connection string with its password (if any) taken out, for child
// processes that get the password through PGPASSWORD instead of argv.
using pg::split_password;
using pg::SplitConninfo;

class TargetServer
{
public:
  explicit TargetServer(std::string conninfo);

  // A connection string for dbname on this server (password included).
  std::string conninfo(const std::string& dbname) const;
  // For humans and catalog rows: redacted.
  std::string display() const;

  // Connects to the maintenance database; throws DatabaseError when unreachable.
  bool database_exists(const std::string& name) const;
  void create_database(const std::string& name) const;
  // DROP DATABASE ... WITH (FORCE); refuses names without kTemporaryMarker.
  void drop_temporary_database(const std::string& name) const;
  // ALTER DATABASE from RENAME TO to: fails (DatabaseError) if `to` exists.
  void rename_database(const std::string& from, const std::string& to) const;

private:
  std::string m_conninfo;
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
