#include "backup/dump_connection.hpp"

#include "common/error.hpp"
#include "common/redact.hpp"
#include "pg/conninfo.hpp"
#include "pg/pg_connection.hpp"

#include <libpq-fe.h>
#include <memory>
#include <pqxx/pqxx>
#include <spdlog/spdlog.h>

namespace lastgood::backup {

DumpConnection dump_connection(const std::string& conninfo)
{
  auto split = pg::split_password(conninfo);
  DumpConnection out;
  out.conninfo = split.conninfo;
  if (!split.password.empty()) out.env.emplace_back("PGPASSWORD", split.password);
  return out;
}

std::string current_database(const std::string& conninfo)
{
  auto connection = pg::connect(conninfo, "--dbname");
  try {
    pqxx::nontransaction tx(*connection);
    return tx.exec1("SELECT current_database()")[0].as<std::string>();
  } catch (const std::exception& e) {
    throw DatabaseError("cannot ask " + redact(conninfo) +
                        " for its database name: " + redact(e.what()));
  }
}

std::optional<std::string> server_system_identifier(const std::string& conninfo)
{
  try {
    auto connection = pg::connect(conninfo);
    pqxx::nontransaction tx(*connection);
    return tx.exec1("SELECT system_identifier::text FROM pg_control_system()")[0].as<std::string>();
  } catch (const std::exception& e) {
    spdlog::warn("cannot read the system identifier of {} ({}); the backup is recorded without it",
                 redact(conninfo), redact(e.what()));
    return std::nullopt;
  }
}

} // namespace lastgood::backup
