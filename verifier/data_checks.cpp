#include "verifier/data_checks.hpp"

#include <map>
#include <pqxx/pqxx>

#include "pg/pg_connection.hpp"

namespace lastgood::verifier {

namespace {

namespace fk = finding_kind;

std::string qualified(const std::string& schema, const std::string& table)
{
  return pg::quote_ident(schema) + "." + pg::quote_ident(table);
}

std::vector<catalog::RowCountRecord> count_rows(pqxx::connection& conn)
{
  std::vector<catalog::RowCountRecord> counts;
  pqxx::read_transaction tx(conn);
  auto tables = tx.exec("SELECT n.nspname, c.relname FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace"
                        " WHERE c.relkind = 'r' AND n.nspname NOT IN ('pg_catalog', 'information_schema')"
                        " AND n.nspname NOT LIKE 'pg\\_toast%' ORDER BY 1, 2");
  for (auto row : tables) {
    auto schema = row[0].as<std::string>(), table = row[1].as<std::string>();
    auto n = tx.exec1("SELECT count(*) FROM " + qualified(schema, table))[0].as<std::int64_t>();
    counts.push_back({schema, table, n});
  }
  return counts;
}

void run_amcheck(pqxx::connection& conn, bool heapallindexed, Findings& findings)
{
  {
    pqxx::nontransaction tx(conn);
    tx.exec("CREATE EXTENSION IF NOT EXISTS amcheck");
  }
  pqxx::nontransaction tx(conn);
  auto indexes = tx.exec("SELECT c.oid, n.nspname, c.relname FROM pg_index i JOIN pg_class c ON c.oid = i.indexrelid"
                         " JOIN pg_namespace n ON n.oid = c.relnamespace JOIN pg_am a ON a.oid = c.relam"
                         " WHERE a.amname = 'btree' AND i.indisvalid AND i.indisready AND c.relpersistence <> 't'"
                         " AND n.nspname NOT IN ('pg_catalog', 'information_schema') ORDER BY 2, 3");
  for (auto row : indexes) {
    auto name = qualified(row[1].as<std::string>(), row[2].as<std::string>());
    try {
      tx.exec_params("SELECT bt_index_check($1::oid::regclass, $2)", row[0].as<std::int64_t>(), heapallindexed);
    } catch (const pqxx::broken_connection&) {
      throw;
    } catch (const pqxx::sql_error& e) {
      findings.add(fk::amcheck, Severity::Failure, name, std::string("amcheck bt_index_check: ") + e.what());
    }
  }
  bool has_heapam = tx.exec1("SELECT EXISTS (SELECT 1 FROM pg_proc WHERE proname = 'verify_heapam')")[0].as<bool>();
  if (!has_heapam) return;
  auto tables = tx.exec("SELECT c.oid, n.nspname, c.relname FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace"
                        " WHERE c.relkind IN ('r', 'm') AND c.relpersistence <> 't'"
                        " AND n.nspname NOT IN ('pg_catalog', 'information_schema') ORDER BY 2, 3");
  for (auto row : tables) {
    auto name = qualified(row[1].as<std::string>(), row[2].as<std::string>());
    auto problems = tx.exec_params("SELECT blkno, offnum, attnum, msg FROM verify_heapam($1::oid::regclass) LIMIT 20",
                                   row[0].as<std::int64_t>());
    for (auto p : problems)
      findings.add(fk::amcheck, Severity::Failure, name,
                   "verify_heapam: block " + p[0].as<std::string>("?") + " offset " + p[1].as<std::string>("?") +
                       ": " + p[3].as<std::string>(""));
  }
}

void run_user_checks(pqxx::connection& conn, const std::string& database, const VerifyConfig& config,
                     Findings& findings)
{
  for (const auto& check : config.checks) {
    if (check.database != database) continue;
    try {
      pqxx::read_transaction tx(conn);
      auto result = tx.exec(check.sql);
      if (result.size() != 1 || result.columns() != 1) {
        findings.add(fk::check_error, Severity::Failure, check.name,
                     "check '" + check.name + "' returned " + std::to_string(result.size()) + " rows of " +
                         std::to_string(result.columns()) + " columns; it must return one boolean");
        continue;
      }
      bool passed = false;
      try {
        passed = result[0][0].as<bool>();
      } catch (const std::exception&) {
        findings.add(fk::check_error, Severity::Failure, check.name,
                     "check '" + check.name + "' returned '" + result[0][0].as<std::string>("NULL") +
                         "', not a boolean");
        continue;
      }
      if (!passed)
        findings.add(fk::check_failed, Severity::Failure, check.name,
                     "check '" + check.name + "' returned false on the restored data", {{"sql", check.sql}});
    } catch (const pqxx::broken_connection&) {
      throw;
    } catch (const pqxx::sql_error& e) {
      findings.add(fk::check_error, Severity::Failure, check.name,
                   "check '" + check.name + "' failed to run: " + e.what() + "; fix its SQL in the configuration",
                   {{"sql", check.sql}});
    }
  }
}

} // namespace

Findings compare_row_counts(const std::vector<catalog::RowCountRecord>& previous,
                            const std::vector<catalog::RowCountRecord>& current, const VerifyConfig& config)
{
  Findings findings;
  const Severity severity = config.shrink_severity == "failure" ? Severity::Failure : Severity::Warning;
  std::map<std::string, std::int64_t> now;
  for (const auto& c : current) now[c.schema_name + "." + c.table_name] = c.row_count;
  for (const auto& p : previous) {
    const auto name = p.schema_name + "." + p.table_name;
    auto it = now.find(name);
    if (it == now.end()) {
      findings.add(fk::data_shrink, severity, name,
                   "table " + name + " (" + std::to_string(p.row_count) +
                       " rows at the last passing restore) is missing from this backup",
                   {{"previous_rows", p.row_count}});
      continue;
    }
    if (p.row_count > 0 &&
        static_cast<double>(p.row_count - it->second) > config.shrink_threshold * static_cast<double>(p.row_count))
      findings.add(fk::data_shrink, severity, name,
                   "table " + name + " shrank from " + std::to_string(p.row_count) + " to " +
                       std::to_string(it->second) + " rows since the last passing restore",
                   {{"previous_rows", p.row_count}, {"rows", it->second}, {"threshold", config.shrink_threshold}});
  }
  return findings;
}

DataCheckResult check_restored_database(pqxx::connection& conn, const std::string& database,
                                        const VerifyConfig& config,
                                        const std::vector<catalog::RowCountRecord>& previous)
{
  DataCheckResult result;
  result.row_counts = count_rows(conn);
  run_amcheck(conn, config.amcheck_heapallindexed, result.findings);
  run_user_checks(conn, database, config, result.findings);
  result.findings.append(compare_row_counts(previous, result.row_counts, config));
  return result;
}

} // namespace lastgood::verifier
