#include "restore/target_server.hpp"

#include "common/error.hpp"
#include "common/redact.hpp"
#include "pg/conninfo.hpp"
#include "pg/pg_connection.hpp"
#include "verifier/scratch_server.hpp"

#include <libpq-fe.h>
#include <pqxx/pqxx>

namespace lastgood::restore {

namespace {

constexpr const char* kMaintenanceDatabase = "postgres";

std::string describe(const pqxx::sql_error& e)
{
  std::string what = e.what();
  while (!what.empty() && (what.back() == '\n' || what.back() == ' '))
    what.pop_back();
  return what;
}

} // namespace

std::string temporary_database_name(const std::string& name, std::int64_t run_id)
{
  const std::string suffix = std::string(kTemporaryMarker) + std::to_string(run_id);
  std::string base = name;
  if (base.size() + suffix.size() > kMaxDatabaseName) {
    base.resize(kMaxDatabaseName - suffix.size());
    // Do not leave half a UTF-8 sequence behind.
    while (!base.empty() && (static_cast<unsigned char>(base.back()) & 0xC0) == 0x80)
      base.pop_back();
    if (!base.empty() && (static_cast<unsigned char>(base.back()) & 0x80) != 0) base.pop_back();
  }
  return base + suffix;
}

TargetServer::TargetServer(std::string conninfo) : m_conninfo(std::move(conninfo))
{
  if (m_conninfo.empty()) throw UsageError("give the target server with --to CONNSTR");
  pg::with_dbname(m_conninfo, kMaintenanceDatabase); // validates it
}

std::string TargetServer::conninfo(const std::string& dbname) const
{
  return pg::with_dbname(m_conninfo, dbname);
}

std::string TargetServer::display() const
{
  return redact(m_conninfo);
}

bool TargetServer::database_exists(const std::string& name) const
{
  auto conn = pg::connect(conninfo(kMaintenanceDatabase));
  pqxx::nontransaction tx(*conn);
  return !tx.exec_params("SELECT 1 FROM pg_database WHERE datname = $1", name).empty();
}

void TargetServer::create_database(const std::string& name) const
{
  auto conn = pg::connect(conninfo(kMaintenanceDatabase));
  pqxx::nontransaction tx(*conn);
  try {
    tx.exec("CREATE DATABASE " + pg::quote_ident(name) + " TEMPLATE template0");
  } catch (const pqxx::sql_error& e) {
    throw DatabaseError("could not create database '" + name + "' on " + display() + ": " +
                        describe(e) + "; the role needs CREATEDB on the target server");
  }
}

void TargetServer::drop_temporary_database(const std::string& name) const
{
  if (name.find(kTemporaryMarker) == std::string::npos)
    throw Error("refusing to drop database '" + name + "': lastgood only drops its own temporary " +
                "<name>" + kTemporaryMarker + "<run> databases");
  auto conn = pg::connect(conninfo(kMaintenanceDatabase));
  pqxx::nontransaction tx(*conn);
  tx.exec("DROP DATABASE IF EXISTS " + pg::quote_ident(name) + " WITH (FORCE)");
}

void TargetServer::rename_database(const std::string& from, const std::string& to) const
{
  auto conn = pg::connect(conninfo(kMaintenanceDatabase));
  pqxx::nontransaction tx(*conn);
  try {
    tx.exec("ALTER DATABASE " + pg::quote_ident(from) + " RENAME TO " + pg::quote_ident(to));
  } catch (const pqxx::sql_error& e) {
    throw DatabaseError("could not rename the restored database '" + from + "' to '" + to +
                        "' on " + display() + ": " + describe(e));
  }
}

TemporaryDatabase::TemporaryDatabase(const TargetServer& server, std::string name)
    : m_server(server), m_name(std::move(name))
{
  m_server.create_database(m_name);
}

TemporaryDatabase::~TemporaryDatabase()
{
  if (m_keep || m_dropped) return;
  try {
    drop();
  } catch (const std::exception&) {
    // Reported by the caller, who dropped it explicitly first where it could.
  }
}

void TemporaryDatabase::drop()
{
  if (m_keep || m_dropped) return;
  m_server.drop_temporary_database(m_name);
  m_dropped = true;
}

} // namespace lastgood::restore
