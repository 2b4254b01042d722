#include "restore/target_server.hpp"

#include "common/error.hpp"
#include "common/redact.hpp"
#include "pg/conninfo.hpp"
#include "pg/database_creation.hpp"
#include "pg/pg_connection.hpp"
#include "verifier/scratch_server.hpp"

#include <algorithm>
#include <chrono>
#include <libpq-fe.h>
#include <pqxx/pqxx>
#include <thread>

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
  return suffixed_database_name(name, std::string(kTemporaryMarker) + std::to_string(run_id));
}

std::string aside_database_name(const std::string& name, std::int64_t run_id)
{
  return suffixed_database_name(name,
                                std::string(kTemporaryMarker) + "old_" + std::to_string(run_id));
}

std::string rolled_back_database_name(const std::string& name, std::int64_t run_id)
{
  return suffixed_database_name(name, std::string(kTemporaryMarker) + "rolledback_" +
                                          std::to_string(run_id));
}

std::string describe_sessions(const std::vector<Session>& sessions)
{
  auto join_unique = [&](auto field) {
    std::vector<std::string> seen;
    for (const auto& s : sessions) {
      std::string v = field(s).empty() ? "-" : field(s);
      if (std::find(seen.begin(), seen.end(), v) == seen.end()) seen.push_back(v);
    }
    std::string out;
    for (const auto& v : seen)
      out += (out.empty() ? "" : ", ") + v;
    return out;
  };
  return std::to_string(sessions.size()) + (sessions.size() == 1 ? " session" : " sessions") +
         " (users " + join_unique([](const Session& s) { return s.user; }) + "; applications " +
         join_unique([](const Session& s) { return s.application; }) + "; pids " +
         join_unique([](const Session& s) { return std::to_string(s.pid); }) + ")";
}

std::string suffixed_database_name(const std::string& name, const std::string& suffix)
{
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

TargetServer::TargetServer(std::string conninfo, std::string named_by)
    : m_conninfo(std::move(conninfo)), m_named_by(std::move(named_by))
{
  if (m_conninfo.empty())
    throw UsageError("give the target server with " + m_named_by + " CONNSTR");
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
  auto conn = pg::connect(conninfo(kMaintenanceDatabase), m_named_by);
  pqxx::nontransaction tx(*conn);
  return !tx.exec_params("SELECT 1 FROM pg_database WHERE datname = $1", name).empty();
}

void TargetServer::create_database(const std::string& name) const
{
  auto conn = pg::connect(conninfo(kMaintenanceDatabase), m_named_by);
  pqxx::nontransaction tx(*conn);
  try {
    tx.exec("CREATE DATABASE " + pg::quote_ident(name) + " TEMPLATE template0");
  } catch (const pqxx::sql_error& e) {
    throw DatabaseError("could not create database '" + name + "' on " + display() + ": " +
                        describe(e) + "; the role needs CREATEDB on the target server");
  }
}

bool TargetServer::end_unfinished_creation(const std::string& name) const
{
  auto conn = pg::connect(conninfo(kMaintenanceDatabase));
  auto creations = pg::databases_being_created(*conn, name);
  std::erase_if(creations, [&](const auto& c) { return c.database != name; });
  pg::end_database_creations(*conn, creations);
  return !creations.empty();
}

void TargetServer::drop_temporary_database(const std::string& name) const
{
  if (name.find(kTemporaryMarker) == std::string::npos)
    throw Error("refusing to drop database '" + name + "': lastgood only drops its own temporary " +
                "<name>" + kTemporaryMarker + "<run> databases");
  auto conn = pg::connect(conninfo(kMaintenanceDatabase), m_named_by);
  pqxx::nontransaction tx(*conn);
  tx.exec("DROP DATABASE IF EXISTS " + pg::quote_ident(name) + " WITH (FORCE)");
}

void TargetServer::rename_database(const std::string& from, const std::string& to) const
{
  auto conn = pg::connect(conninfo(kMaintenanceDatabase), m_named_by);
  pqxx::nontransaction tx(*conn);
  try {
    tx.exec("ALTER DATABASE " + pg::quote_ident(from) + " RENAME TO " + pg::quote_ident(to));
  } catch (const pqxx::sql_error& e) {
    throw DatabaseError("could not rename database '" + from + "' to '" + to + "' on " + display() +
                        ": " + describe(e));
  }
}

std::vector<Session> TargetServer::sessions(const std::string& name) const
{
  auto conn = pg::connect(conninfo(kMaintenanceDatabase), m_named_by);
  pqxx::nontransaction tx(*conn);
  std::vector<Session> out;
  for (auto row :
       tx.exec_params("SELECT pid, coalesce(usename, ''), coalesce(application_name, ''),"
                      " coalesce(host(client_addr), 'local') FROM pg_stat_activity"
                      " WHERE datname = $1 AND pid <> pg_backend_pid() ORDER BY pid",
                      name)) {
    Session s;
    s.pid = row[0].as<std::int64_t>();
    s.user = row[1].as<std::string>();
    s.application = row[2].as<std::string>();
    s.client = row[3].as<std::string>();
    out.push_back(std::move(s));
  }
  return out;
}

void TargetServer::set_allow_connections(const std::string& name, bool allow) const
{
  auto conn = pg::connect(conninfo(kMaintenanceDatabase), m_named_by);
  pqxx::nontransaction tx(*conn);
  try {
    tx.exec("ALTER DATABASE " + pg::quote_ident(name) + " WITH ALLOW_CONNECTIONS " +
            (allow ? "true" : "false"));
  } catch (const pqxx::sql_error& e) {
    throw DatabaseError("could not " + std::string(allow ? "allow" : "block") +
                        " connections to database '" + name + "' on " + display() + ": " +
                        describe(e));
  }
}

std::size_t TargetServer::terminate_sessions(const std::string& name) const
{
  auto conn = pg::connect(conninfo(kMaintenanceDatabase), m_named_by);
  pqxx::nontransaction tx(*conn);
  std::size_t terminated = 0;
  try {
    for (auto row : tx.exec_params("SELECT pg_terminate_backend(pid) FROM pg_stat_activity"
                                   " WHERE datname = $1 AND pid <> pg_backend_pid()",
                                   name))
      if (row[0].as<bool>(false)) ++terminated;
  } catch (const pqxx::sql_error& e) {
    throw DatabaseError("could not terminate the sessions on database '" + name + "' on " +
                        display() + ": " + describe(e) +
                        "; the role needs pg_signal_backend (or superuser)");
  }
  // pg_terminate_backend only signals: wait until the backends have exited.
  for (int i = 0; i < 100; ++i) {
    if (sessions(name).empty()) return terminated;
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
  throw DatabaseError(
      "sessions on database '" + name + "' on " + display() +
      " were still there 10 s after pg_terminate_backend: " + describe_sessions(sessions(name)));
}

std::optional<std::int64_t> TargetServer::database_size(const std::string& name) const
{
  auto conn = pg::connect(conninfo(kMaintenanceDatabase), m_named_by);
  pqxx::nontransaction tx(*conn);
  auto rows = tx.exec_params(
      "SELECT pg_database_size(oid) FROM pg_database WHERE datname = $1 AND datallowconn", name);
  if (rows.empty()) return std::nullopt;
  return rows[0][0].as<std::int64_t>();
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
