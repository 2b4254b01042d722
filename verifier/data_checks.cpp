#include "verifier/data_checks.hpp"

#include <algorithm>
#include <map>
#include <mutex>
#include <pqxx/pqxx>
#include <thread>

#include "catalog/work_queue.hpp"
#include "pg/pg_connection.hpp"

namespace lastgood::verifier {

namespace {

namespace fk = finding_kind;

std::string qualified(const std::string& schema, const std::string& table)
{
  return pg::quote_ident(schema) + "." + pg::quote_ident(table);
}

// One unit of checking on one relation; the big ones dominate, so they are
// handed out first to the parallel connections.
struct CheckTask {
  enum Kind { CountRows, IndexCheck, HeapCheck } kind;
  std::int64_t oid;
  std::string schema, name;
  std::int64_t pages;
};

std::vector<CheckTask> plan_tasks(pqxx::connection& conn, bool& has_heapam)
{
  std::vector<CheckTask> tasks;
  pqxx::nontransaction tx(conn);
  tx.exec("CREATE EXTENSION IF NOT EXISTS amcheck");
  has_heapam = tx.exec1("SELECT EXISTS (SELECT 1 FROM pg_proc WHERE proname = 'verify_heapam')")[0].as<bool>();
  const char* user_relations = " JOIN pg_namespace n ON n.oid = c.relnamespace WHERE c.relpersistence <> 't'"
                               " AND n.nspname NOT IN ('pg_catalog', 'information_schema')"
                               " AND n.nspname NOT LIKE 'pg\\_toast%'";
  for (auto row : tx.exec(std::string("SELECT c.oid, n.nspname, c.relname, c.relpages, c.relkind FROM pg_class c") +
                          user_relations + " AND c.relkind IN ('r', 'm')")) {
    CheckTask task{CheckTask::CountRows, row[0].as<std::int64_t>(), row[1].as<std::string>(),
                   row[2].as<std::string>(), row[3].as<std::int64_t>()};
    if (row[4].as<std::string>() == "r") tasks.push_back(task);
    if (has_heapam) {
      task.kind = CheckTask::HeapCheck;
      tasks.push_back(task);
    }
  }
  for (auto row : tx.exec(std::string("SELECT c.oid, n.nspname, c.relname, c.relpages FROM pg_class c") +
                          user_relations +
                          " AND c.relkind = 'i' AND c.relam = (SELECT oid FROM pg_am WHERE amname = 'btree')"
                          " AND EXISTS (SELECT 1 FROM pg_index i WHERE i.indexrelid = c.oid AND i.indisvalid"
                          " AND i.indisready)"))
    tasks.push_back({CheckTask::IndexCheck, row[0].as<std::int64_t>(), row[1].as<std::string>(),
                     row[2].as<std::string>(), row[3].as<std::int64_t>()});
  std::stable_sort(tasks.begin(), tasks.end(), [](const auto& a, const auto& b) { return a.pages > b.pages; });
  return tasks;
}

void run_task(pqxx::connection& conn, const CheckTask& task, bool heapallindexed, DataCheckResult& out,
              std::mutex& lock)
{
  const auto name = qualified(task.schema, task.name);
  pqxx::nontransaction tx(conn);
  switch (task.kind) {
  case CheckTask::CountRows: {
    auto n = tx.exec1("SELECT count(*) FROM " + name)[0].as<std::int64_t>();
    std::lock_guard guard(lock);
    out.row_counts.push_back({task.schema, task.name, n});
    return;
  }
  case CheckTask::IndexCheck:
    try {
      tx.exec_params("SELECT bt_index_check($1::oid::regclass, $2)", task.oid, heapallindexed);
    } catch (const pqxx::broken_connection&) {
      throw;
    } catch (const pqxx::sql_error& e) {
      std::lock_guard guard(lock);
      out.findings.add(fk::amcheck, Severity::Failure, name, std::string("amcheck bt_index_check: ") + e.what());
    }
    return;
  case CheckTask::HeapCheck: {
    auto problems = tx.exec_params("SELECT blkno, offnum, attnum, msg FROM verify_heapam($1::oid::regclass) LIMIT 20",
                                   task.oid);
    std::lock_guard guard(lock);
    for (auto p : problems)
      out.findings.add(fk::amcheck, Severity::Failure, name,
                       "verify_heapam: block " + p[0].as<std::string>("?") + " offset " + p[1].as<std::string>("?") +
                           ": " + p[3].as<std::string>(""));
    return;
  }
  }
}

// Row counts and amcheck over `jobs` connections at once.
void run_relation_checks(const std::string& conninfo, bool heapallindexed, unsigned jobs, DataCheckResult& out)
{
  bool has_heapam = false;
  std::vector<CheckTask> tasks;
  {
    auto conn = pg::connect(conninfo);
    tasks = plan_tasks(*conn, has_heapam);
  }
  catalog::WorkQueue<CheckTask> queue;
  for (auto& t : tasks) queue.push(std::move(t));
  queue.close();
  std::mutex lock;
  std::exception_ptr failure;
  std::vector<std::jthread> workers;
  for (unsigned i = 0; i < std::max(1u, jobs); ++i)
    workers.emplace_back([&] {
      try {
        auto conn = pg::connect(conninfo);
        while (auto task = queue.pop()) run_task(*conn, *task, heapallindexed, out, lock);
      } catch (...) {
        std::lock_guard guard(lock);
        if (!failure) failure = std::current_exception();
        while (queue.pop()) {
        }
      }
    });
  workers.clear();
  if (failure) std::rethrow_exception(failure);
  std::sort(out.row_counts.begin(), out.row_counts.end(), [](const auto& a, const auto& b) {
    return std::tie(a.schema_name, a.table_name) < std::tie(b.schema_name, b.table_name);
  });
}

void run_user_checks(const std::string& conninfo, const std::string& database, const VerifyConfig& config,
                     Findings& findings)
{
  if (std::none_of(config.checks.begin(), config.checks.end(), [&](const auto& c) { return c.database == database; }))
    return;
  auto conn = pg::connect(conninfo);
  for (const auto& check : config.checks) {
    if (check.database != database) continue;
    try {
      pqxx::read_transaction tx(*conn);
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

DataCheckResult check_restored_database(const std::string& conninfo, const std::string& database,
                                        const VerifyConfig& config,
                                        const std::vector<catalog::RowCountRecord>& previous, unsigned jobs)
{
  DataCheckResult result;
  run_relation_checks(conninfo, config.amcheck_heapallindexed, jobs, result);
  run_user_checks(conninfo, database, config, result.findings);
  result.findings.append(compare_row_counts(previous, result.row_counts, config));
  return result;
}

} // namespace lastgood::verifier
