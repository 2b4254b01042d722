#include "restore/drill.hpp"

#include "catalog/backup_queries.hpp"
#include "catalog/repositories.hpp"
#include "catalog/run_records.hpp"
#include "catalog/verification_runs.hpp"
#include "common/cipher_pass.hpp"
#include "common/error.hpp"
#include "common/redact.hpp"
#include "common/time.hpp"
#include "restore/drill_checks.hpp"
#include "restore/drill_redis.hpp"
#include "verifier/verifier.hpp"

#include <algorithm>
#include <chrono>
#include <set>
#include <unistd.h>

namespace lastgood::restore {

namespace {

using Clock = std::chrono::steady_clock;

double since(Clock::time_point start)
{
  return std::chrono::duration<double>(Clock::now() - start).count();
}

std::string resolve_database(catalog::Database& db, const Config& config,
                             const DrillRequest& request)
{
  if (!request.database.empty()) return request.database;
  if (!config.drill.database.empty()) return config.drill.database;
  std::set<std::string> names;
  catalog::BackupFilter filter;
  if (!request.source.empty()) filter.source = request.source;
  for (const auto& b : catalog::list_backups(db, filter))
    if (b.kind == "logical" && b.database) names.insert(*b.database);
  if (names.size() == 1) return *names.begin();
  throw UsageError(names.empty() ? "no logical backups in the catalog: nothing to drill (scan a "
                                   "repository or take a backup first)"
                                 : "the catalog holds backups of " + std::to_string(names.size()) +
                                       " databases; give --database DB or [drill] database");
}

// The [[verify.check]]s of the database, narrowed to --check names.
VerifyConfig checks_for(const Config& config, const std::string& database,
                        const std::vector<std::string>& names)
{
  VerifyConfig verify = config.verify;
  for (const auto& name : names) {
    const bool known = std::any_of(verify.checks.begin(), verify.checks.end(), [&](const auto& c) {
      return c.database == database && c.name == name;
    });
    if (!known)
      throw UsageError("--check '" + name + "': no [[verify.check]] of database " + database +
                       " has that name");
  }
  std::erase_if(verify.checks, [&](const UserCheck& c) {
    return c.database != database ||
           (!names.empty() && std::find(names.begin(), names.end(), c.name) == names.end());
  });
  return verify;
}

// The source to drill: as given, else the only one holding dumps of the database.
std::string resolve_source(catalog::Database& db, const DrillRequest& request,
                           const std::string& database)
{
  if (!request.source.empty()) return request.source;
  auto sources = catalog::sources_of_database(db, database);
  if (sources.size() > 1)
    throw UsageError("database " + database + " is dumped from " + std::to_string(sources.size()) +
                     " sources (" + catalog::list_sources(sources) +
                     "): say which with --source NAME");
  return catalog::source_label(sources.empty() ? std::nullopt : sources.front());
}

std::optional<catalog::BackupRow> newest_backup(catalog::Database& db, const std::string& database,
                                                const std::string& source)
{
  catalog::BackupFilter filter;
  filter.database = database;
  filter.source = source;
  std::optional<catalog::BackupRow> newest;
  for (auto& b : catalog::list_backups(db, filter)) {
    if (b.kind != "logical" || b.missing_since || b.format == "plain_cluster") continue;
    auto time = b.stop_time.value_or(b.start_time.value_or(""));
    if (!newest || time >= newest->stop_time.value_or(newest->start_time.value_or(""))) newest = b;
  }
  return newest;
}

std::string outcome_of(const std::string& verify_outcome)
{
  if (verify_outcome == "pass" || verify_outcome == "fail") return verify_outcome;
  return "error"; // error, or skipped because another verifier holds the backup
}

class Drill
{
public:
  Drill(catalog::Database& db, const Config& config, const DrillRequest& request,
        const std::function<void(const DrillStep&)>& on_step)
      : m_db(db), m_config(config), m_request(request), m_on_step(on_step)
  {
  }

  DrillResult run()
  {
    const auto started = Clock::now();
    m_result.database = resolve_database(m_db, m_config, m_request);
    m_result.source = resolve_source(m_db, m_request, m_result.database);
    const auto verify = checks_for(m_config, m_result.database, m_request.checks);
    begin();
    auto backup = select();
    if (backup) {
      verifier::Verifier verifier(m_db, verify, m_request.scratch, m_request.jobs);
      verifier.set_cipher_pass(cipher_pass_lookup(m_config));
      if (!m_request.scratch.empty() && !m_request.scratch_flag.empty())
        verifier.set_scratch_flag(m_request.scratch_flag);
      if (checksum(verifier, *backup) == "pass") {
        auto report = verifier.verify(*backup, verifier::Level::Restore, "drill");
        m_restore_run = report.run_id;
        auto restored = test_restore_step(report);
        add(restored);
        if (restored.outcome == "pass")
          add(data_checks_step(report, m_config.drill.tables, verify.checks.size()));
        else
          skip("data checks", "the test restore did not pass");
      } else {
        skip("test restore", "the checksum step did not pass");
        skip("data checks", "the checksum step did not pass");
      }
    } else {
      for (const auto* name : {"checksum", "test restore", "data checks"})
        skip(name, "no backup selected");
    }
    // Independent of the backup: what else the application needs, checked anyway.
    for (const auto& command : m_config.drill.commands)
      add(command_step(command));
    for (const auto& redis : m_config.drill.redis)
      add(redis_step(redis));
    m_result.seconds = since(started);
    finish();
    return m_result;
  }

private:
  void add(DrillStep step)
  {
    if (m_on_step) m_on_step(step);
    m_result.steps.push_back(std::move(step));
  }
  void skip(const std::string& name, const std::string& why)
  {
    add({name, "skipped", 0, why, nullptr});
  }

  std::optional<catalog::BackupRow> select()
  {
    const auto started = Clock::now();
    auto backup = newest_backup(m_db, m_result.database, m_result.source);
    DrillStep step{"select", backup ? "pass" : "fail", 0, "", nullptr};
    if (backup) {
      m_result.backup_id = backup->backup_id;
      m_backup_row = backup->id;
      step.detail = "newest backup " + backup->backup_id + " (" + backup->format + ", " +
                    std::to_string(backup->size_bytes) + " bytes, taken " +
                    backup->stop_time.value_or(backup->start_time.value_or("?")) + ", status " +
                    backup->status + ")";
      step.data = {{"backup", backup->backup_id}, {"status", backup->status}};
    } else {
      step.detail = "no logical backup of database " + m_result.database +
                    " is in the catalog (scan its repository, or take one with lastgood backup)";
    }
    step.seconds = since(started);
    add(step);
    return backup;
  }

  std::string checksum(verifier::Verifier& verifier, const catalog::BackupRow& backup)
  {
    const auto started = Clock::now();
    auto report = verifier.verify(backup, verifier::Level::Checksum, "drill");
    m_checksum_run = report.run_id;
    DrillStep step{"checksum", outcome_of(report.outcome), since(started), "", nullptr};
    step.data = {{"run", report.run_id}, {"findings", verifier::to_json(report)["findings"]}};
    step.detail = report.outcome == "pass" ? "every object's SHA-256 matches the catalog (run " +
                                                 std::to_string(report.run_id) + ")"
                                           : first_problem(report.findings, report.notes);
    add(step);
    return step.outcome;
  }

  void begin()
  {
    m_result.drill_id =
        catalog::begin_drill_run(m_db, m_result.database, format_rfc3339(now_seconds()));
  }

  void finish()
  {
    bool failed = false, errored = false;
    for (const auto& s : m_result.steps) {
      failed = failed || s.outcome == "fail";
      errored = errored || s.outcome == "error";
    }
    m_result.outcome = failed ? "fail" : errored ? "error" : "pass";
    m_result.exit_code = failed ? kExitProblem : errored ? kExitFailed : kExitOk;
    nlohmann::json steps = nlohmann::json::array();
    for (const auto& s : m_result.steps)
      steps.push_back(to_json(s));
    auto optional_id = [](std::int64_t id) { return id ? std::optional(id) : std::nullopt; };
    catalog::finish_drill_run(m_db, {m_result.drill_id, optional_id(m_backup_row),
                                     optional_id(m_checksum_run), optional_id(m_restore_run),
                                     format_rfc3339(now_seconds()), m_result.seconds,
                                     m_result.outcome, redact(steps.dump())});
  }

  catalog::Database& m_db;
  const Config& m_config;
  const DrillRequest& m_request;
  const std::function<void(const DrillStep&)>& m_on_step;
  DrillResult m_result;
  std::int64_t m_backup_row = 0, m_checksum_run = 0, m_restore_run = 0;
};

} // namespace

DrillResult run_drill(catalog::Database& db, const Config& config, const DrillRequest& request,
                      const std::function<void(const DrillStep&)>& on_step)
{
  return Drill(db, config, request, on_step).run();
}

nlohmann::json to_json(const DrillStep& s)
{
  return {{"name", s.name},
          {"outcome", s.outcome},
          {"seconds", s.seconds},
          {"detail", redact(s.detail)},
          {"data", s.data}};
}

nlohmann::json to_json(const DrillResult& r)
{
  nlohmann::json steps = nlohmann::json::array();
  for (const auto& s : r.steps)
    steps.push_back(to_json(s));
  return {{"drill", r.drill_id},
          {"database", r.database},
          {"source", r.source},
          {"backup", r.backup_id ? nlohmann::json(*r.backup_id) : nlohmann::json()},
          {"steps", steps},
          {"seconds", r.seconds},
          {"outcome", r.outcome}};
}

} // namespace lastgood::restore
