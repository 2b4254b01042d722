#include "restore/logical_restore.hpp"

#include "catalog/audit.hpp"
#include "catalog/crash_leftovers.hpp"
#include "catalog/repositories.hpp"
#include "common/error.hpp"
#include "common/redact.hpp"
#include "pg/child_process.hpp"
#include "pg/pg_connection.hpp"
#include "restore/database_swap.hpp"
#include "restore/restore_cleanup.hpp"
#include "restore/restore_runs.hpp"
#include "restore/target_server.hpp"
#include "storage/storage.hpp"
#include "verifier/data_checks.hpp"
#include "verifier/directory_feed.hpp"
#include "verifier/dump_feed.hpp"
#include "verifier/local_copy.hpp"
#include "verifier/restore_level.hpp"

#include <chrono>
#include <fstream>
#include <pqxx/pqxx>
#include <regex>
#include <sstream>

namespace lastgood::restore {

namespace {

namespace fk = verifier::finding_kind;
using verifier::Findings;
using verifier::Severity;

constexpr const char* kTargetError = "target_error"; // the target server failed us

void report(const ProgressFn& progress, const std::string& step)
{
  if (progress) progress(step);
}

// A plain dump made with --create reconnects (\connect) to the database it
// names: psql would leave the temporary database and write into that one.
void refuse_reconnecting_plain_dump(const catalog::BackupRow& backup, const std::string& path)
{
  std::ifstream in(path);
  for (std::string line; std::getline(in, line);)
    if (line.starts_with("\\connect") || line.starts_with("\\c "))
      throw RestoreError("backup " + backup.backup_id +
                         " is a plain dump that switches databases ('" + line.substr(0, 80) +
                         "', made with pg_dump --create); restoring it would write outside the "
                         "temporary database. Restore it by hand with psql");
}

// path empty: the dump comes on stdin_fd (streamed from storage).
void run_tool(const RestorePlan& plan, const TargetServer& server, const std::string& database,
              const std::string& path, int stdin_fd, Findings& findings)
{
  const auto target = split_password(server.conninfo(database));
  const bool plain = plan.tool == "psql";
  pg::ProcessOptions options;
  options.argv = {pg::find_pg_program(plan.tool)};
  options.argv.insert(options.argv.end(), plan.tool_options.begin(), plan.tool_options.end());
  options.argv.insert(options.argv.end(), {"-d", target.conninfo});
  if (!path.empty()) {
    if (plain) options.argv.push_back("-f");
    options.argv.push_back(path);
  } else {
    options.stdin_fd = stdin_fd;
  }
  // The password goes through the environment, never onto a command line.
  if (!target.password.empty()) options.env.emplace_back("PGPASSWORD", target.password);
  auto result = pg::run_process(options);
  std::vector<std::string> errors, role_errors, server_errors;
  for (auto& line : verifier::restore_error_lines(result.err)) {
    if (verifier::is_missing_role_error(line))
      role_errors.push_back(line);
    else if (verifier::is_scratch_side_error(line))
      server_errors.push_back(line);
    else
      errors.push_back(line);
  }
  if (!server_errors.empty()) {
    findings.add(kTargetError, Severity::Error, plan.target,
                 "the target server failed during the restore (" + server_errors.front() +
                     "); free space or memory on it and restore again",
                 {{"errors", server_errors.size()}});
    return;
  }
  if (!role_errors.empty())
    findings.add(
        fk::restore_failed, Severity::Warning, plan.backup.root_key,
        std::to_string(role_errors.size()) +
            " statements named roles that do not exist on the target server; those objects "
            "belong to the restoring user. Create the roles and set owners and grants by hand",
        {{"first", role_errors.front()}});
  const bool failed =
      plain ? !errors.empty() : (result.exit_code != 0 && role_errors.empty()) || !errors.empty();
  if (!failed) return;
  nlohmann::json detail = {{"exit_code", result.exit_code}, {"errors", nlohmann::json::array()}};
  for (std::size_t i = 0; i < errors.size() && i < 20; ++i)
    detail["errors"].push_back(errors[i]);
  detail["error_count"] = errors.size();
  findings.add(fk::restore_failed, Severity::Failure, plan.backup.root_key,
               errors.empty() ? pg::describe_failure(result, plan.tool)
                              : std::to_string(errors.size()) + " errors while restoring with " +
                                    plan.tool + "; first: " + errors.front(),
               detail);
}

bool has_extension(const std::string& conninfo, const std::string& name,
                   const std::string& named_by)
{
  auto conn = pg::connect(conninfo, named_by);
  pqxx::nontransaction tx(*conn);
  return !tx.exec_params("SELECT 1 FROM pg_extension WHERE extname = $1", name).empty();
}

void run_checks(catalog::Database& db, const RestorePlan& plan, const VerifyConfig& config,
                const std::string& conninfo, Findings& findings, LogicalRestoreResult& result)
{
  VerifyConfig checks = config;
  std::vector<catalog::RowCountRecord> previous;
  if (plan.selective)
    checks.checks.clear();
  else
    previous = catalog::previous_passing_row_counts(db, plan.backup.database.value_or(""), -1);
  try {
    // amcheck is installed for the checks only; the restored database keeps
    // just what the backup holds.
    const bool had_amcheck = has_extension(conninfo, "amcheck", plan.options.to_flag);
    auto checked = verifier::check_restored_database(conninfo, plan.backup.database.value_or(""),
                                                     checks, previous, plan.options.jobs);
    findings.append(checked.findings);
    result.row_counts = std::move(checked.row_counts);
    if (!had_amcheck) {
      auto conn = pg::connect(conninfo, plan.options.to_flag);
      pqxx::nontransaction(*conn).exec("DROP EXTENSION IF EXISTS amcheck");
    }
  } catch (const pqxx::broken_connection& e) {
    findings.add(kTargetError, Severity::Error, plan.target,
                 std::string("lost the target server during checks: ") + e.what());
  } catch (const pqxx::failure& e) {
    findings.add(kTargetError, Severity::Error, plan.target,
                 std::string("checks on the restored database failed to run: ") + e.what());
  }
}

std::string summary(const Findings& findings)
{
  std::size_t problems = 0;
  std::string first;
  for (const auto& f : findings.items()) {
    if (f.severity == Severity::Warning) continue;
    if (problems++ == 0)
      first = f.kind + (f.subject.empty() ? "" : " " + f.subject) + ": " + f.message;
  }
  return std::to_string(problems) + (problems == 1 ? " problem" : " problems") +
         "; first: " + first;
}

// The checked temporary database replaces the existing one. false: it did not
// happen (result says why); the temporary database is then dropped.
bool swap(catalog::Database& db, const RestorePlan& plan, const TargetServer& server,
          TemporaryDatabase& database, LogicalRestoreResult& result, const ProgressFn& progress)
{
  SwapRequest request;
  request.run_id = result.run_id;
  request.target_database = plan.target_database;
  request.temporary_database = database.name();
  request.backup = &plan.backup;
  request.safety_snapshot = plan.options.safety_snapshot;
  request.terminate_connections = plan.options.terminate_connections;
  try {
    auto swapped = swap_into_place(db, server, request, progress);
    database.keep();
    result.aside_database = swapped.aside_database;
    result.safety_snapshot = swapped.safety_snapshot;
    result.terminated_sessions = swapped.terminated_sessions;
    return true;
  } catch (const std::exception& e) {
    const auto* error = dynamic_cast<const Error*>(&e);
    result.outcome = "error";
    result.exit_code = error ? error->exit_code() : kExitFailed;
    result.message =
        "the restored data passed its checks but was not swapped in: " + redact(e.what());
  }
  report(progress, "dropping the temporary database " + database.name());
  try {
    database.drop();
    result.message += ". The temporary database " + database.name() + " was dropped";
  } catch (const std::exception& e) {
    result.message += ". Could not drop the temporary database " + database.name() + " (" +
                      redact(e.what()) + "); drop it by hand";
  }
  return false;
}

void execute(catalog::Database& db, const RestorePlan& plan, const VerifyConfig& config,
             const TargetServer& server, LogicalRestoreResult& result, const ProgressFn& progress)
{
  const auto& temp = result.temporary_database;
  report(progress, "checking the target server " + plan.target);
  const bool exists = server.database_exists(plan.target_database);
  if (exists && !plan.options.drop_existing) {
    result.outcome = "error";
    result.exit_code = kExitUsage;
    result.message = "database " + plan.target_database +
                     " exists on the target; restore --as NEWNAME, or --drop-existing to swap "
                     "it out (it is kept under another name)";
    return;
  }
  if (exists) {
    // Refuse before spending a restore on it; checked again at the swap.
    try {
      refuse_connected_sessions(server, plan.target_database, plan.options.terminate_connections);
    } catch (const Error& e) {
      result.outcome = "error";
      result.exit_code = e.exit_code();
      result.message = redact(e.what());
      return;
    }
  }
  if (server.database_exists(temp))
    throw RestoreError(
        "the temporary database " + temp + " already exists on " + plan.target +
        " (another catalog restoring to the same server?); drop it if nothing uses it and "
        "restore again");
  auto repository = catalog::find_repository(db, plan.backup.repository);
  if (!repository)
    throw RestoreError("repository '" + plan.backup.repository + "' of backup " +
                       plan.backup.backup_id +
                       " is no longer registered; add it again with 'lastgood repo add'");
  auto storage = storage::open_storage(repository->url);
  report(progress, "reading backup " + plan.backup.backup_id);
  const auto objects = catalog::backup_objects(db, plan.backup.id);
  // A custom or plain dump on object storage streams into the tool, checked
  // against its cataloged hash on the way; the rest is read in place or copied.
  const bool stream =
      verifier::streams_dump(*storage, plan.backup, plan.options.jobs) && objects.size() == 1;
  if (auto note = verifier::local_copy_note(*storage, plan.backup, plan.options.jobs)) {
    report(progress, *note);
    result.notes.push_back(*note);
  }
  // A directory dump on object storage: TOC files local, data members as FIFOs.
  const bool stream_members = verifier::streams_directory_dump(*storage, plan.backup);
  std::optional<verifier::DirectoryFeed> members;
  std::optional<verifier::LocalCopy> copy;
  if (stream_members) {
    members.emplace(*storage, plan.backup, objects);
    if (!members->toc_findings().items().empty()) {
      // The TOC read is not the cataloged one (or was cut): nothing is restored from it.
      const auto toc = members->finish(*storage);
      result.findings = toc.items();
      result.outcome = toc.any(Severity::Failure) ? "fail" : "error";
      result.exit_code = kExitFailed;
      result.message = "the restore did not happen: " + summary(toc);
      return;
    }
    report(progress, members->note());
    result.notes.push_back(members->note());
  } else if (!stream) {
    copy.emplace(*storage, plan.backup, objects);
  }
  if (copy && plan.tool == "psql") refuse_reconnecting_plain_dump(plan.backup, copy->path());

  report(progress, "creating the temporary database " + temp);
  TemporaryDatabase database(server, temp);
  Findings findings;
  report(progress,
         std::string(stream || stream_members ? "streaming the dump into " : "restoring with ") +
             plan.tool);
  if (stream_members) {
    Findings tool_findings;
    run_tool(plan, server, temp, members->path(), -1, tool_findings);
    auto input = members->finish(*storage);
    // What the tool made of a cut or foreign member proves nothing.
    findings.append(input.items().empty() ? tool_findings : input);
  } else if (stream) {
    verifier::DumpFeed feed(*storage, plan.backup, objects.front(),
                            {.refuse_connect = plan.tool == "psql"});
    Findings tool_findings;
    run_tool(plan, server, temp, "", feed.tool_stdin(), tool_findings);
    const auto outcome = feed.finish();
    if (outcome.connect_line)
      throw RestoreError("backup " + plan.backup.backup_id +
                         " is a plain dump that switches databases ('" + *outcome.connect_line +
                         "', made with pg_dump --create); restoring it would write outside the "
                         "temporary database. Restore it by hand with psql");
    auto input = verifier::feed_findings(objects.front(), outcome);
    // What the tool made of a cut or foreign stream proves nothing.
    findings.append(input.items().empty() ? tool_findings : input);
  } else {
    run_tool(plan, server, temp, copy->path(), -1, findings);
  }
  if (!findings.any(Severity::Failure) && !findings.any(Severity::Error)) {
    report(progress, "checking the restored data");
    run_checks(db, plan, config, server.conninfo(temp), findings, result);
  }
  result.findings = findings.items();
  if (findings.any(Severity::Failure) || findings.any(Severity::Error)) {
    result.outcome = findings.any(Severity::Failure) ? "fail" : "error";
    result.exit_code = kExitFailed;
    result.message = "the restore did not happen: " + summary(findings);
    report(progress, "dropping the temporary database " + temp);
    try {
      database.drop();
      result.message +=
          ". The temporary database " + temp + " was dropped; nothing else was touched";
    } catch (const std::exception& e) {
      result.message += ". Could not drop the temporary database " + temp + " (" + e.what() +
                        "); drop it by hand";
    }
    return;
  }
  if (exists && !swap(db, plan, server, database, result, progress)) return;
  if (!exists) {
    report(progress, "renaming " + temp + " to " + plan.target_database);
    server.rename_database(temp, plan.target_database);
    database.keep();
  }
  std::int64_t rows = 0;
  for (const auto& c : result.row_counts)
    rows += c.row_count;
  result.outcome = "pass";
  result.exit_code = kExitOk;
  result.message = "restored backup " + plan.backup.backup_id + " into database " +
                   plan.target_database + " on " + plan.target + " (" +
                   std::to_string(result.row_counts.size()) + " tables, " + std::to_string(rows) +
                   " rows)";
  if (!result.aside_database.empty())
    result.message +=
        "; the previous " + plan.target_database + " is kept as " + result.aside_database +
        (result.safety_snapshot ? " and as backup " + *result.safety_snapshot
                                : std::string(" (no safety snapshot)")) +
        ". Undo: lastgood restore --rollback " + std::to_string(result.run_id) +
        " --to ...; once sure: DROP DATABASE " + pg::quote_ident(result.aside_database) + ";";
}

} // namespace

LogicalRestoreResult run_logical_restore(catalog::Database& db, const RestorePlan& plan,
                                         const VerifyConfig& config, const ProgressFn& progress)
{
  const auto started = std::chrono::steady_clock::now();
  TargetServer server(plan.options.to, plan.options.to_flag);
  LogicalRestoreResult result;
  result.run_id = begin_restore_run(db, plan.backup.id, plan.options.to, plan.target_database,
                                    options_json(plan.options));
  if (plan.options.drop_existing) set_drop_existing(db, result.run_id);
  result.temporary_database = temporary_database_name(plan.target_database, result.run_id);
  set_temporary_database(db, result.run_id, result.temporary_database);
  catalog::write_audit(db, "restore.started", plan.backup.backup_id, catalog::Severity::Info,
                       {{"run", result.run_id},
                        {"target", plan.target},
                        {"target_database", plan.target_database},
                        {"temporary_database", result.temporary_database},
                        {"options", options_json(plan.options)}});
  try {
    for (const auto& l : catalog::sweep_crash_leftovers(db).removed)
      result.cleaned_up.push_back(l.kind + " " + l.path + " of dead process " +
                                  std::to_string(l.owner_pid));
    for (auto& c : clean_up_interrupted_restores(db, server))
      result.cleaned_up.push_back(std::move(c));
    execute(db, plan, config, server, result, progress);
  } catch (const std::exception& e) {
    result.outcome = "error";
    result.exit_code = kExitFailed;
    result.message = "the restore did not happen: " + redact(e.what()) +
                     "; the temporary database " + result.temporary_database + " is not kept";
  }
  result.seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
  finish_restore_run(db, result.run_id, result.outcome, result.seconds, result.message);
  catalog::write_audit(db, "restore.finished", plan.backup.backup_id,
                       result.outcome == "pass" ? catalog::Severity::Info
                                                : catalog::Severity::Warning,
                       {{"run", result.run_id},
                        {"outcome", result.outcome},
                        {"target", plan.target},
                        {"target_database", plan.target_database},
                        {"message", redact(result.message)}});
  return result;
}

nlohmann::json to_json(const LogicalRestoreResult& r)
{
  nlohmann::json findings = nlohmann::json::array(), counts = nlohmann::json::array();
  for (const auto& f : r.findings)
    findings.push_back(verifier::to_json(f));
  for (const auto& c : r.row_counts)
    counts.push_back({{"schema", c.schema_name}, {"table", c.table_name}, {"rows", c.row_count}});
  return {{"run", r.run_id},
          {"outcome", r.outcome},
          {"message", redact(r.message)},
          {"temporary_database", r.temporary_database},
          {"findings", findings},
          {"row_counts", counts},
          {"seconds", r.seconds},
          {"aside_database",
           r.aside_database.empty() ? nlohmann::json() : nlohmann::json(r.aside_database)},
          {"safety_snapshot",
           r.safety_snapshot ? nlohmann::json(*r.safety_snapshot) : nlohmann::json()},
          {"terminated_sessions", r.terminated_sessions},
          {"cleaned_up", r.cleaned_up},
          {"notes", r.notes}};
}

} // namespace lastgood::restore
