#pragma once
// What a catalog engine provides to catalog::Database: a connection that runs
// statements, and a cursor per prepared statement. SQLite and PostgreSQL each
// implement both; nothing outside catalog/ sees these.

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>

namespace lastgood::catalog {

class Cursor
{
public:
  virtual ~Cursor() = default;
  // 1-based parameter indexes, as in SQL.
  virtual void bind_int64(int index, std::int64_t value) = 0;
  virtual void bind_double(int index, double value) = 0;
  virtual void bind_text(int index, std::string_view value) = 0;
  virtual void bind_null(int index) = 0;
  // Runs the statement on the first call after binding; true while a row is available.
  virtual bool step() = 0;
  // Ready to run again; bindings cleared.
  virtual void reset() = 0;
  virtual bool is_null(int column) const = 0;
  virtual std::int64_t int64(int column) const = 0;
  virtual double real(int column) const = 0;
  virtual std::string text(int column) const = 0;
};

class Connection
{
public:
  virtual ~Connection() = default;
  // One or more statements without parameters or results.
  virtual void exec(std::string_view sql) = 0;
  virtual std::unique_ptr<Cursor> prepare(std::string_view sql) = 0;
  virtual std::int64_t last_insert_id() = 0;
  virtual int changes() const = 0;
  // A write transaction that excludes every other writer of the catalog from
  // its start, as SQLite's BEGIN IMMEDIATE does: read-then-write logic (leases,
  // dedup by lookup) relies on it.
  virtual void begin_write() = 0;
  // A transaction whose statements are made safe by row locks they take
  // themselves (FOR UPDATE SKIP LOCKED, ON CONFLICT, per-key advisory xact
  // locks): other writers run beside it on PostgreSQL. SQLite has no row
  // locks, so there it is begin_write().
  virtual void begin_row_locked() = 0;
  virtual void commit() = 0;
  virtual void rollback() noexcept = 0;
};

} // namespace lastgood::catalog
