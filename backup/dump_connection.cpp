#include "backup/dump_connection.hpp"

#include "common/error.hpp"
#include "common/redact.hpp"
#include "pg/pg_connection.hpp"

#include <libpq-fe.h>
#include <memory>
#include <pqxx/pqxx>

namespace lastgood::backup {

namespace {

std::string quoted(const std::string& value)
{
  std::string out = "'";
  for (char c : value) {
    if (c == '\'' || c == '\\') out.push_back('\\');
    out.push_back(c);
  }
  return out + "'";
}

struct OptionsFree
{
  void operator()(PQconninfoOption* options) const { PQconninfoFree(options); }
};
struct ErrorFree
{
  void operator()(char* message) const { PQfreemem(message); }
};

} // namespace

DumpConnection dump_connection(const std::string& conninfo)
{
  char* raw_error = nullptr;
  std::unique_ptr<PQconninfoOption, OptionsFree> options(
      PQconninfoParse(conninfo.c_str(), &raw_error));
  std::unique_ptr<char, ErrorFree> error(raw_error);
  if (!options)
    throw UsageError("cannot parse the connection string '" + redact(conninfo) +
                     "': " + redact(error ? error.get() : "out of memory") +
                     "; give key=value pairs (host=... dbname=...) or a postgresql:// URI");
  DumpConnection out;
  for (auto* o = options.get(); o->keyword; ++o) {
    if (!o->val || !*o->val) continue;
    std::string key = o->keyword;
    if (key == "password") {
      out.env.emplace_back("PGPASSWORD", o->val);
      continue;
    }
    if (!out.conninfo.empty()) out.conninfo += ' ';
    out.conninfo += key + "=" + quoted(o->val);
  }
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
