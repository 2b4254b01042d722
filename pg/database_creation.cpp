#include "pg/database_creation.hpp"

#include "common/error.hpp"

#include <chrono>
#include <pqxx/pqxx>
#include <thread>

namespace lastgood::pg {

namespace {

constexpr std::string_view kCreate = "CREATE DATABASE \"";

// The name in `CREATE DATABASE "na""me" ...` (quote_ident's doubling undone).
std::string created_name(std::string_view query)
{
  std::string name;
  for (std::size_t i = kCreate.size(); i < query.size(); ++i) {
    if (query[i] != '"') {
      name += query[i];
    } else if (i + 1 < query.size() && query[i + 1] == '"') {
      name += '"';
      ++i;
    } else {
      return name;
    }
  }
  return {}; // cut off (track_activity_query_size): not ours to judge
}

} // namespace

std::vector<DatabaseCreation> databases_being_created(pqxx::connection& connection,
                                                      std::string_view name_prefix)
{
  pqxx::nontransaction tx(connection);
  std::vector<DatabaseCreation> out;
  for (auto row : tx.exec_params("SELECT pid, query FROM pg_stat_activity"
                                 " WHERE pid <> pg_backend_pid() AND state = 'active'"
                                 " AND left(query, $1) = $2",
                                 static_cast<int>(kCreate.size()), std::string(kCreate))) {
    auto name = created_name(row[1].as<std::string>());
    if (!name.empty() && name.starts_with(name_prefix))
      out.push_back({row[0].as<std::int64_t>(), std::move(name)});
  }
  return out;
}

void end_database_creations(pqxx::connection& connection,
                            const std::vector<DatabaseCreation>& creations)
{
  if (creations.empty()) return;
  pqxx::nontransaction tx(connection);
  for (const auto& c : creations) {
    try {
      tx.exec_params("SELECT pg_terminate_backend($1)", c.backend_pid);
    } catch (const pqxx::sql_error& e) {
      throw DatabaseError("could not end the unfinished creation of database '" + c.database +
                          "' (backend " + std::to_string(c.backend_pid) + "): " + e.what() +
                          "; the role needs pg_signal_backend (or superuser)");
    }
  }
  // pg_terminate_backend only signals: wait until the backends have exited.
  for (int i = 0; i < 100; ++i) {
    bool any = false;
    for (const auto& c : creations)
      any = any ||
            !tx.exec_params("SELECT 1 FROM pg_stat_activity WHERE pid = $1", c.backend_pid).empty();
    if (!any) return;
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
  throw DatabaseError("the unfinished creation of database '" + creations.front().database +
                      "' was still running 10 s after pg_terminate_backend (backend " +
                      std::to_string(creations.front().backend_pid) + ")");
}

} // namespace lastgood::pg
