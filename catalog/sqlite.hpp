#pragma once
// A thin RAII layer over sqlite3: a connection, prepared statements with typed
// binding, and transactions that roll back unless committed.

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

struct sqlite3;
struct sqlite3_stmt;

namespace lastgood::catalog {

class Statement;

class Database
{
public:
  enum class Mode { ReadWrite, ReadWriteCreate, ReadOnly };
  // Opens (creating if asked) the database file. New files are created 0600.
  Database(const std::string& path, bool create);
  // ReadOnly never writes a byte, not even WAL bookkeeping files when they cannot be made.
  Database(const std::string& path, Mode mode);
  ~Database();
  Database(const Database&) = delete;
  Database& operator=(const Database&) = delete;

  void exec(std::string_view sql);
  Statement prepare(std::string_view sql);
  std::int64_t last_insert_id() const;
  int changes() const;
  sqlite3* handle() const { return m_db; }
  const std::string& path() const { return m_path; }
  bool read_only() const { return m_read_only; }

private:
  sqlite3* m_db = nullptr;
  std::string m_path;
  bool m_read_only = false;
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
  Database* m_db;
  sqlite3_stmt* m_stmt = nullptr;
};

// BEGIN IMMEDIATE on construction; ROLLBACK on destruction unless commit().
class Transaction
{
public:
  explicit Transaction(Database& db);
  ~Transaction();
  void commit();

private:
  Database& m_db;
  bool m_done = false;
};

} // namespace lastgood::catalog
