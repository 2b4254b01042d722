#include "verifier/restore_level.hpp"

#include "common/error.hpp"
#include "common/redact.hpp"
#include "pg/child_process.hpp"
#include "pg/pg_connection.hpp"
#include "verifier/data_checks.hpp"
#include "verifier/object_access.hpp"

#include <pqxx/pqxx>
#include <regex>
#include <sstream>

namespace lastgood::verifier {

namespace {

namespace fk = finding_kind;

} // namespace

std::vector<std::string> restore_error_lines(const std::string& output)
{
  std::vector<std::string> out;
  std::istringstream lines(output);
  for (std::string line; std::getline(lines, line);)
    if (line.find("ERROR:") != std::string::npos || line.find("error:") != std::string::npos ||
        line.find("FATAL:") != std::string::npos)
      out.push_back(redact(line));
  return out;
}

// Owners and grants name roles that exist on the source server, not on a
// scratch server; pg_restore skips them (--no-owner --no-privileges), and for
// plain dumps their failures are expected and only warnings.
bool is_missing_role_error(const std::string& line)
{
  static const std::regex role(R"(role ".*" does not exist)");
  return std::regex_search(line, role);
}

bool is_scratch_side_error(const std::string& line)
{
  static const std::regex scratch_trouble(
      R"(No space left on device|could not extend file|could not write to file|disk full|out of memory|)"
      R"(terminating connection due to administrator command|the database system is shutting down|)"
      R"(server closed the connection unexpectedly|could not connect to server|connection to server .* failed)",
      std::regex::icase);
  return std::regex_search(line, scratch_trouble);
}

namespace {

void run_restore(const catalog::BackupRow& backup, const RestoreRequest& request,
                 ScratchServer& scratch, Findings& findings)
{
  const auto target = scratch.conninfo(request.scratch_database);
  pg::ProcessOptions options;
  const bool plain = backup.format == "plain";
  if (plain) {
    options.argv = {pg::find_pg_program("psql"), "-X", "-q", "-v", "ON_ERROR_STOP=0", "-d", target};
    if (!request.dump_path.empty())
      options.argv.insert(options.argv.end(), {"-f", request.dump_path});
  } else {
    options.argv = {pg::find_pg_program("pg_restore"),
                    "--no-owner",
                    "--no-privileges",
                    "--no-tablespaces",
                    "-d",
                    target};
    // Parallel restore needs a seekable custom or directory archive.
    if (request.jobs > 1 && !request.dump_path.empty() &&
        (backup.format == "custom" || backup.format == "directory"))
      options.argv.push_back("--jobs=" + std::to_string(request.jobs));
    if (!request.dump_path.empty()) options.argv.push_back(request.dump_path);
  }
  options.stdin_fd = request.dump_path.empty() ? request.dump_stdin : -1;
  auto result = pg::run_process(options);
  if (auto access = input_access_failure(result.err)) {
    // The tool could not read the dump: nothing is known about its content.
    findings.add(
        unreadable_finding(backup.root_key, (plain ? "psql: " : "pg_restore: ") + *access));
    return;
  }
  std::vector<std::string> errors, role_errors, scratch_errors;
  for (auto& line : restore_error_lines(result.err)) {
    if (is_missing_role_error(line))
      role_errors.push_back(line);
    else if (is_scratch_side_error(line))
      scratch_errors.push_back(line);
    else
      errors.push_back(line);
  }
  if (!scratch_errors.empty()) {
    findings.add(
        fk::scratch_error, Severity::Error, scratch.display(),
        "the scratch server failed during the restore (" + scratch_errors.front() +
            "); nothing is known about the backup. Free space or memory on the scratch server and "
            "verify again",
        {{"errors", scratch_errors.size()}});
    return;
  }
  if (!role_errors.empty())
    findings.add(fk::restore_failed, Severity::Warning, backup.root_key,
                 std::to_string(role_errors.size()) +
                     " statements named roles that do not exist on the scratch server (ownership "
                     "and grants are "
                     "not restored in test restores)",
                 {{"first", role_errors.front()}});
  const bool failed = plain ? !errors.empty() : (result.exit_code != 0 || !errors.empty());
  if (!failed) return;
  nlohmann::json detail = {{"exit_code", result.exit_code}, {"errors", nlohmann::json::array()}};
  for (std::size_t i = 0; i < errors.size() && i < 20; ++i)
    detail["errors"].push_back(errors[i]);
  detail["error_count"] = errors.size();
  findings.add(fk::restore_failed, Severity::Failure, backup.root_key,
               errors.empty() ? pg::describe_failure(result, plain ? "psql" : "pg_restore")
                              : std::to_string(errors.size()) +
                                    " errors while restoring; first: " + errors.front(),
               detail);
}

// Each table that differs from the source at backup time is damage: the
// backup misses rows (or holds others) that the source had in pg_dump's
// snapshot.
void compare_with_source(const pg::DatabaseFingerprint& source, const std::string& restored_db,
                         const catalog::BackupRow& backup, RestoreResult& result)
{
  const auto restored = pg::fingerprint_database(restored_db, source.mode);
  const auto differences = pg::compare_fingerprints(source, restored);
  for (const auto& d : differences)
    result.findings.add(
        fk::fingerprint_mismatch, Severity::Failure, d.schema_name + "." + d.table_name,
        "fingerprint_mismatch " + d.schema_name + "." + d.table_name + ": " + d.what + " (backup " +
            backup.backup_id + " does not hold what the source held when it was taken)");
  if (differences.empty()) {
    result.source_match = catalog::SourceMatch{pg::to_string(source.mode),
                                               static_cast<std::int64_t>(source.tables.size())};
    result.fingerprint_note =
        "identical to the source at backup time: " + pg::to_string(source.mode) + " of " +
        std::to_string(source.tables.size()) + " tables match";
  }
}

// A failed restore says something about the backup only if the scratch
// server was there the whole time.
bool scratch_alive(ScratchServer& scratch, const std::string& database)
{
  try {
    auto conn = pg::connect(scratch.conninfo(database));
    pqxx::nontransaction(*conn).exec("SELECT 1");
    return true;
  } catch (const std::exception&) {
    return false;
  }
}

} // namespace

RestoreResult restore_and_check(const catalog::BackupRow& backup, const RestoreRequest& request,
                                ScratchServer& scratch, const VerifyConfig& config)
{
  RestoreResult result;
  Findings restore_findings;
  run_restore(backup, request, scratch, restore_findings);
  if (request.finish_input) {
    if (auto input = request.finish_input(); !input.items().empty()) {
      result.findings.append(input);
      return result; // what the tool made of those bytes proves nothing
    }
  }
  if (restore_findings.any(Severity::Failure) &&
      !scratch_alive(scratch, request.scratch_database)) {
    result.findings.add(
        fk::scratch_error, Severity::Error, scratch.display(),
        "the scratch server went away during the restore; nothing is known about the backup. "
        "Check the scratch server (disk space, crashes) and verify again");
    return result;
  }
  result.findings.append(restore_findings);
  if (restore_findings.any(Severity::Error))
    return result; // a half-restored database proves nothing
  try {
    auto checks = check_restored_database(scratch.conninfo(request.scratch_database),
                                          backup.database.value_or(""), config,
                                          request.previous_counts, request.jobs);
    result.findings.append(checks.findings);
    result.row_counts = std::move(checks.row_counts);
    if (request.source_fingerprint)
      compare_with_source(*request.source_fingerprint, scratch.conninfo(request.scratch_database),
                          backup, result);
  } catch (const pqxx::broken_connection& e) {
    result.findings.add(fk::scratch_error, Severity::Error, scratch.display(),
                        std::string("lost the scratch server during checks: ") + e.what());
  } catch (const pqxx::failure& e) {
    result.findings.add(fk::scratch_error, Severity::Error, scratch.display(),
                        std::string("checks on the restored database failed: ") + e.what());
  }
  return result;
}

} // namespace lastgood::verifier
