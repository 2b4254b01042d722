#include "backup/dump_connection.hpp"

#include "common/error.hpp"
#include "common/redact.hpp"
#include "pg/conninfo.hpp"
#include "pg/pg_connection.hpp"

#include <libpq-fe.h>
#include <memory>
#include <pqxx/pqxx>

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
  auto connection = pg::connect(conninfo);
  try {
    pqxx::nontransaction tx(*connection);
    return tx.exec1("SELECT current_database()")[0].as<std::string>();
  } catch (const std::exception& e) {
    throw DatabaseError("cannot ask " + redact(conninfo) +
                        " for its database name: " + redact(e.what()));
  }
}

} // namespace lastgood::backup
