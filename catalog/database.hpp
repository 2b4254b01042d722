#pragma once
// The catalog's connection, whichever engine holds it: an SQLite file (the
// embedded default) or a PostgreSQL database (one catalog for a fleet). One
// SQL text serves both: statements use `?` placeholders (numbered for
// PostgreSQL), and the few SQLite functions the catalog uses exist on
// PostgreSQL as compatibility functions made by its first migration (see
// docs/catalog.md, "Two engines").

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

namespace lastgood::catalog {

class Connection;
class Cursor;
class Statement;

enum class Engine { Sqlite, Postgres };

// A catalog location is PostgreSQL's when it is a postgresql:// or postgres:// URI.
bool is_postgres_location(std::string_view location);

class Database
{
public:
  enum class Mode { ReadWrite, ReadWriteCreate, ReadOnly };
  // Opens the catalog at `location`: a file path (SQLite; new files are
  // created 0600 when asked) or a PostgreSQL URI (the database must exist;
  // its password comes from libpq's usual sources and is never shown).
  Database(const std::string& location, bool create);
  // ReadOnly never writes a byte, not even WAL bookkeeping files when they cannot be made.
  Database(const std::string& location, Mode mode);
  ~Database();
  Database(const Database&) = delete;
  Database& operator=(const Database&) = delete;

  void exec(std::string_view sql);
  Statement prepare(std::string_view sql);
  std::int64_t last_insert_id() const;
  int changes() const;
  // The location for messages and for lock files beside an SQLite catalog:
  // a file path, or a URI without its password.
  const std::string& path() const { return m_display; }
  // The location as given, to open a second connection to the same catalog.
  const std::string& location() const { return m_location; }
  bool read_only() const { return m_read_only; }
  Engine engine() const { return m_engine; }
  Connection& connection() { return *m_connection; }

private:
  std::unique_ptr<Connection> m_connection;
  std::string m_location;
  std::string m_display;
  bool m_read_only = false;
  Engine m_engine = Engine::Sqlite;
};

class Statement
{
public:
  Statement(Database& db, std::string_view sql);
  ~Statement();
  Statement(Statement&& other) noexcept;
  Statement& operator=(Statement&&) = delete;
  Statement(const Statement&) = delete;

  // Binding by 1-based index; nullopt binds NULL.
  Statement& bind(int index, std::int64_t value);
  Statement& bind(int index, std::uint64_t value)
  {
    return bind(index, static_cast<std::int64_t>(value));
  }
  Statement& bind(int index, int value) { return bind(index, static_cast<std::int64_t>(value)); }
  Statement& bind(int index, unsigned value)
  {
    return bind(index, static_cast<std::int64_t>(value));
  }
  Statement& bind(int index, double value);
  Statement& bind(int index, std::string_view value);
  Statement& bind(int index, const char* value) { return bind(index, std::string_view(value)); }
  Statement& bind(int index, const std::string& value)
  {
    return bind(index, std::string_view(value));
  }
  Statement& bind(int index, std::nullopt_t);
  template <typename T> Statement& bind(int index, const std::optional<T>& value)
  {
    return value ? bind(index, *value) : bind(index, std::nullopt);
  }
  // Binds all arguments in order starting at index 1.
  template <typename... Args> Statement& bind_all(const Args&... args)
  {
    int index = 0;
    (bind(++index, args), ...);
    return *this;
  }

  // Steps once: true if a row is available.
  bool step();
  // Runs to completion (for INSERT/UPDATE/DELETE) and resets for reuse.
  void run();
  void reset();

  bool is_null(int column) const;
  std::int64_t int64(int column) const;
  double real(int column) const;
  std::string text(int column) const;
  std::optional<std::string> opt_text(int column) const;
  std::optional<std::int64_t> opt_int64(int column) const;

private:
  std::unique_ptr<Cursor> m_cursor;
};

// A write transaction: every other writer waits from its start (SQLite's BEGIN
// IMMEDIATE; on PostgreSQL a transaction-scoped advisory lock). Rolled back on
// destruction unless commit().
//
// Lock::Rows drops the fleet-wide writer lock on PostgreSQL: only for work
// whose every read-then-write is guarded by row locks its own statements
// take (SELECT … FOR UPDATE SKIP LOCKED, INSERT … ON CONFLICT, an advisory
// xact lock on a narrower key), so that many hosts can do it at once —
// verification leases (catalog/verification_leases.hpp). Any other
// read-then-write under Lock::Rows would race. SQLite has no row locks: there
// both kinds are BEGIN IMMEDIATE.
class Transaction
{
public:
  enum class Lock { Writers, Rows };
  explicit Transaction(Database& db, Lock lock = Lock::Writers);
  ~Transaction();
  void commit();

private:
  Database& m_db;
  bool m_done = false;
};

} // namespace lastgood::catalog
