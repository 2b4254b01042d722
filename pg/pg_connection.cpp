#include "pg/pg_connection.hpp"

#include "common/error.hpp"
#include "common/redact.hpp"

#include <pqxx/except>
#include <pqxx/nontransaction>

namespace lastgood::pg {
namespace {

std::string trimmed(std::string text)
{
  while (!text.empty() && (text.back() == '\n' || text.back() == ' '))
    text.pop_back();
  return text;
}

} // namespace

std::unique_ptr<pqxx::connection> connect(const std::string& conninfo, std::string_view named_by)
{
  try {
    return std::make_unique<pqxx::connection>(conninfo);
  } catch (const std::exception& e) {
    throw DatabaseError(
        "could not connect to PostgreSQL (" + redact(conninfo) + "): " + redact(trimmed(e.what())) +
        "; check " +
        (named_by.empty() ? std::string("the connection string") : std::string(named_by)) +
        " and that the server is running and accepts connections");
  }
}

std::string quote_ident(std::string_view name)
{
  if (name.empty()) throw ValidationError("an empty name cannot be a PostgreSQL identifier");
  if (name.find('\0') != std::string_view::npos)
    throw ValidationError("a PostgreSQL identifier cannot contain a NUL byte");
  std::string out = "\"";
  for (char c : name)
    out += c == '"' ? std::string("\"\"") : std::string(1, c);
  return out + "\"";
}

bool server_has_extension(pqxx::connection& connection, std::string_view name)
{
  try {
    pqxx::nontransaction tx(connection);
    pqxx::result r = tx.exec_params(
        "SELECT 1 FROM pg_catalog.pg_available_extensions WHERE name = $1", std::string(name));
    return !r.empty();
  } catch (const pqxx::failure& e) {
    throw DatabaseError("could not list the available extensions on database " +
                        std::string(connection.dbname()) + ": " + trimmed(e.what()) +
                        "; check the connection and the server log");
  }
}

} // namespace lastgood::pg
