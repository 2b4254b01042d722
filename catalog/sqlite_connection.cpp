#include "catalog/sqlite_connection.hpp"

#include "common/error.hpp"

#include <cstdio>
#include <sqlite3.h>
#include <sys/stat.h>

namespace lastgood::catalog {

namespace {

// Every catalog error names the catalog's path.
[[noreturn]] void fail(sqlite3* db, const std::string& what)
{
  const char* file = db ? sqlite3_db_filename(db, "main") : nullptr;
  std::string message = (file && *file ? "catalog " + std::string(file) + ": " : std::string()) +
                        what + ": " + (db ? sqlite3_errmsg(db) : "out of memory");
  int code = db ? sqlite3_errcode(db) : SQLITE_NOMEM;
  if (code == SQLITE_BUSY || code == SQLITE_LOCKED)
    message += " (another lastgood process holds the catalog; try again when it finishes)";
  else if (code == SQLITE_FULL)
    message += " (the disk holding the catalog is full)";
  else if ((code & 0xff) == SQLITE_READONLY)
    message +=
        " (this user may read the catalog but not write it: run as the catalog's owner or fix its "
        "permissions)";
  else if (code == SQLITE_CANTOPEN || code == SQLITE_PERM)
    message += " (check the catalog path and its permissions)";
  throw DatabaseError(message);
}

} // namespace

namespace {

// "file:" URI for a path, so query parameters can be added.
std::string file_uri(const std::string& path, const char* parameters)
{
  std::string uri = "file:";
  for (unsigned char c : path) {
    if (c == '%' || c == '?' || c == '#' || c < 0x20) {
      char escaped[4];
      std::snprintf(escaped, sizeof escaped, "%%%02X", c);
      uri += escaped;
    } else {
      uri += static_cast<char>(c);
    }
  }
  return uri + "?" + parameters;
}

} // namespace

namespace {

class SqliteCursor final : public Cursor
{
public:
  SqliteCursor(sqlite3* db, std::string_view sql) : m_db(db)
  {
    if (sqlite3_prepare_v3(db, sql.data(), static_cast<int>(sql.size()), SQLITE_PREPARE_PERSISTENT,
                           &m_stmt, nullptr) != SQLITE_OK)
      fail(db, "cannot prepare catalog query '" + std::string(sql.substr(0, 60)) + "'");
  }
  ~SqliteCursor() override { sqlite3_finalize(m_stmt); }
  SqliteCursor(const SqliteCursor&) = delete;
  SqliteCursor& operator=(const SqliteCursor&) = delete;

  void bind_int64(int index, std::int64_t value) override
  {
    if (sqlite3_bind_int64(m_stmt, index, value) != SQLITE_OK) fail(m_db, "bind");
  }
  void bind_double(int index, double value) override
  {
    if (sqlite3_bind_double(m_stmt, index, value) != SQLITE_OK) fail(m_db, "bind");
  }
  void bind_text(int index, std::string_view value) override
  {
    if (sqlite3_bind_text64(m_stmt, index, value.data(), value.size(), SQLITE_TRANSIENT,
                            SQLITE_UTF8) != SQLITE_OK)
      fail(m_db, "bind");
  }
  void bind_null(int index) override
  {
    if (sqlite3_bind_null(m_stmt, index) != SQLITE_OK) fail(m_db, "bind");
  }
  bool step() override
  {
    int rc = sqlite3_step(m_stmt);
    if (rc == SQLITE_ROW) return true;
    if (rc == SQLITE_DONE) return false;
    std::string sql = sqlite3_sql(m_stmt) ? sqlite3_sql(m_stmt) : "";
    sqlite3_reset(m_stmt);
    fail(m_db, "catalog query failed '" + sql.substr(0, 60) + "'");
  }
  void reset() override
  {
    sqlite3_reset(m_stmt);
    sqlite3_clear_bindings(m_stmt);
  }
  bool is_null(int column) const override
  {
    return sqlite3_column_type(m_stmt, column) == SQLITE_NULL;
  }
  std::int64_t int64(int column) const override { return sqlite3_column_int64(m_stmt, column); }
  double real(int column) const override { return sqlite3_column_double(m_stmt, column); }
  std::string text(int column) const override
  {
    auto* p = reinterpret_cast<const char*>(sqlite3_column_text(m_stmt, column));
    return p ? std::string(p, static_cast<size_t>(sqlite3_column_bytes(m_stmt, column)))
             : std::string();
  }

private:
  sqlite3* m_db;
  sqlite3_stmt* m_stmt = nullptr;
};

class SqliteConnection final : public Connection
{
public:
  explicit SqliteConnection(sqlite3* db) : m_db(db) {}
  ~SqliteConnection() override { sqlite3_close_v2(m_db); }
  SqliteConnection(const SqliteConnection&) = delete;
  SqliteConnection& operator=(const SqliteConnection&) = delete;

  void exec(std::string_view sql) override
  {
    char* error = nullptr;
    std::string text(sql);
    if (sqlite3_exec(m_db, text.c_str(), nullptr, nullptr, &error) != SQLITE_OK) {
      std::string message = error ? error : "unknown error";
      sqlite3_free(error);
      fail(m_db, "catalog statement failed (" + message + ")");
    }
  }
  std::unique_ptr<Cursor> prepare(std::string_view sql) override
  {
    return std::make_unique<SqliteCursor>(m_db, sql);
  }
  std::int64_t last_insert_id() override { return sqlite3_last_insert_rowid(m_db); }
  int changes() const override { return sqlite3_changes(m_db); }
  void begin_write() override { exec("BEGIN IMMEDIATE"); }
  void begin_row_locked() override { begin_write(); }
  void commit() override { exec("COMMIT"); }
  void rollback() noexcept override { sqlite3_exec(m_db, "ROLLBACK", nullptr, nullptr, nullptr); }

private:
  sqlite3* m_db;
};

} // namespace

std::unique_ptr<Connection> open_sqlite(const std::string& path, Database::Mode mode)
{
  sqlite3* db = nullptr;
  int rc = SQLITE_OK;
  if (mode == Database::Mode::ReadOnly) {
    const int flags = SQLITE_OPEN_READONLY | SQLITE_OPEN_NOMUTEX | SQLITE_OPEN_URI;
    rc = sqlite3_open_v2(file_uri(path, "mode=ro").c_str(), &db, flags, nullptr);
    // A WAL catalog in a directory this user cannot write has no -shm to share; when
    // no -wal exists either, every change is in the main file and reading it as
    // immutable sees all of it.
    if (rc == SQLITE_OK && sqlite3_exec(db, "SELECT count(*) FROM sqlite_master", nullptr, nullptr,
                                        nullptr) != SQLITE_OK) {
      sqlite3_close(db);
      db = nullptr;
      struct stat wal;
      if (::stat((path + "-wal").c_str(), &wal) != 0 || wal.st_size == 0)
        rc = sqlite3_open_v2(file_uri(path, "mode=ro&immutable=1").c_str(), &db, flags, nullptr);
      else
        rc = SQLITE_CANTOPEN;
    }
  } else {
    int flags = SQLITE_OPEN_READWRITE | SQLITE_OPEN_NOMUTEX |
                (mode == Database::Mode::ReadWriteCreate ? SQLITE_OPEN_CREATE : 0);
    // umask makes the new file (and its -wal/-shm siblings) 0600 from the first byte.
    mode_t old_mask = ::umask(077);
    rc = sqlite3_open_v2(path.c_str(), &db, flags, nullptr);
    ::umask(old_mask);
  }
  if (rc != SQLITE_OK) {
    std::string message = "cannot open catalog " + path + ": " +
                          (db ? sqlite3_errmsg(db) : sqlite3_errstr(rc)) +
                          " (check the path and its permissions)";
    sqlite3_close(db);
    db = nullptr;
    throw DatabaseError(message);
  }
  sqlite3_extended_result_codes(db, 1);
  sqlite3_busy_timeout(db, 30000);
  return std::make_unique<SqliteConnection>(db);
}

} // namespace lastgood::catalog
