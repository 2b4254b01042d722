#include "catalog/database.hpp"

#include "catalog/database_connection.hpp"
#include "catalog/postgres_connection.hpp"
#include "catalog/sqlite_connection.hpp"

namespace lastgood::catalog {

bool is_postgres_location(std::string_view location)
{
  return location.starts_with("postgresql://") || location.starts_with("postgres://");
}

Database::Database(const std::string& location, bool create)
    : Database(location, create ? Mode::ReadWriteCreate : Mode::ReadWrite)
{
}

Database::Database(const std::string& location, Mode mode)
    : m_location(location), m_display(location), m_read_only(mode == Mode::ReadOnly)
{
  if (is_postgres_location(location)) {
    m_engine = Engine::Postgres;
    m_display = uri_without_password(location);
    m_connection = open_postgres(location, m_display, m_read_only);
  } else {
    m_connection = open_sqlite(location, mode);
  }
}

Database::~Database() = default;

void Database::exec(std::string_view sql)
{
  m_connection->exec(sql);
}

Statement Database::prepare(std::string_view sql)
{
  return Statement(*this, sql);
}

std::int64_t Database::last_insert_id() const
{
  return m_connection->last_insert_id();
}

int Database::changes() const
{
  return m_connection->changes();
}

Statement::Statement(Database& db, std::string_view sql) : m_cursor(db.connection().prepare(sql)) {}

Statement::~Statement() = default;

Statement::Statement(Statement&& other) noexcept = default;

Statement& Statement::bind(int index, std::int64_t value)
{
  m_cursor->bind_int64(index, value);
  return *this;
}

Statement& Statement::bind(int index, double value)
{
  m_cursor->bind_double(index, value);
  return *this;
}

Statement& Statement::bind(int index, std::string_view value)
{
  m_cursor->bind_text(index, value);
  return *this;
}

Statement& Statement::bind(int index, std::nullopt_t)
{
  m_cursor->bind_null(index);
  return *this;
}

bool Statement::step()
{
  return m_cursor->step();
}

void Statement::run()
{
  while (step()) {
  }
  reset();
}

void Statement::reset()
{
  m_cursor->reset();
}

bool Statement::is_null(int column) const
{
  return m_cursor->is_null(column);
}

std::int64_t Statement::int64(int column) const
{
  return m_cursor->int64(column);
}

double Statement::real(int column) const
{
  return m_cursor->real(column);
}

std::string Statement::text(int column) const
{
  return m_cursor->text(column);
}

std::optional<std::string> Statement::opt_text(int column) const
{
  if (is_null(column)) return std::nullopt;
  return text(column);
}

std::optional<std::int64_t> Statement::opt_int64(int column) const
{
  if (is_null(column)) return std::nullopt;
  return int64(column);
}

Transaction::Transaction(Database& db, Lock lock) : m_db(db)
{
  if (lock == Lock::Rows)
    m_db.connection().begin_row_locked();
  else
    m_db.connection().begin_write();
}

Transaction::~Transaction()
{
  if (!m_done) m_db.connection().rollback();
}

void Transaction::commit()
{
  m_db.connection().commit();
  m_done = true;
}

} // namespace lastgood::catalog
