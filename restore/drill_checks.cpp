#include "restore/drill_checks.hpp"

#include "common/error.hpp"
#include "common/redact.hpp"
#include "pg/child_process.hpp"

#include <chrono>

namespace lastgood::restore {

namespace {

namespace fk = verifier::finding_kind;
using verifier::Severity;

bool is_data_check(const verifier::Finding& f)
{
  return f.kind == fk::check_failed || f.kind == fk::check_error || f.kind == fk::amcheck ||
         f.kind == fk::data_shrink;
}

std::string outcome_of(const std::vector<verifier::Finding>& findings)
{
  bool failed = false, errored = false;
  for (const auto& f : findings) {
    failed = failed || f.severity == Severity::Failure;
    errored = errored || f.severity == Severity::Error;
  }
  return failed ? "fail" : errored ? "error" : "pass";
}

nlohmann::json findings_json(const std::vector<verifier::Finding>& findings)
{
  nlohmann::json out = nlohmann::json::array();
  for (const auto& f : findings)
    out.push_back(verifier::to_json(f));
  return out;
}

// The last lines of a command's output, for a failed step's detail.
std::string tail(const std::string& text, std::size_t lines)
{
  std::size_t end = text.size();
  while (end > 0 && (text[end - 1] == '\n' || text[end - 1] == ' '))
    --end;
  std::size_t start = end;
  for (std::size_t n = 0; start > 0 && n < lines; --start)
    if (text[start - 1] == '\n' && ++n == lines) break;
  std::string out = text.substr(start, end - start);
  for (auto& c : out)
    if (c == '\n') c = '|';
  return redact(out);
}

} // namespace

std::string first_problem(const std::vector<verifier::Finding>& findings,
                          const std::vector<std::string>& notes)
{
  for (const auto& f : findings)
    if (f.severity != Severity::Warning)
      return f.kind + (f.subject.empty() ? "" : " " + f.subject) + ": " + f.message;
  if (!notes.empty()) return notes.front();
  return "no detail";
}

DrillStep test_restore_step(const verifier::VerifyReport& report)
{
  DrillStep step{"test restore", "pass", report.seconds, "", nullptr};
  std::vector<verifier::Finding> own;
  for (const auto& f : report.findings)
    if (!is_data_check(f)) own.push_back(f);
  step.data = {{"run", report.run_id}, {"findings", findings_json(own)}};
  if (report.outcome == "skipped") {
    step.outcome = "error";
    step.detail = "not done: " + first_problem({}, report.notes);
    return step;
  }
  step.outcome = outcome_of(own);
  if (step.outcome != "pass") {
    step.detail = first_problem(own, report.notes);
    return step;
  }
  std::int64_t rows = 0;
  for (const auto& c : report.row_counts)
    rows += c.row_count;
  step.detail = "restored into a scratch database: " + std::to_string(report.row_counts.size()) +
                " tables, " + std::to_string(rows) + " rows (run " + std::to_string(report.run_id) +
                ")";
  return step;
}

DrillStep data_checks_step(const verifier::VerifyReport& report,
                           const std::vector<std::string>& tables, std::size_t user_checks)
{
  DrillStep step{"data checks", "pass", 0, "", nullptr};
  std::vector<verifier::Finding> own;
  for (const auto& f : report.findings)
    if (is_data_check(f)) own.push_back(f);
  // Rows in the tables the configuration names: a restore of empty tables is no restore.
  nlohmann::json counted = nlohmann::json::object();
  std::int64_t total = 0;
  for (const auto& c : report.row_counts)
    total += c.row_count;
  for (const auto& table : tables) {
    const auto dot = table.find('.');
    const bool match_schema = dot != std::string::npos;
    std::optional<std::int64_t> rows;
    for (const auto& c : report.row_counts) {
      const bool same =
          match_schema ? c.schema_name + "." + c.table_name == table : c.table_name == table;
      if (same) rows = rows.value_or(0) + c.row_count;
    }
    counted[table] = rows ? nlohmann::json(*rows) : nlohmann::json();
    if (!rows)
      own.push_back({"table_missing", Severity::Failure, table,
                     "table " + table + " (from [drill] tables) is not in the restored database",
                     nullptr});
    else if (*rows == 0)
      own.push_back({"table_empty", Severity::Failure, table,
                     "table " + table + " (from [drill] tables) has no rows after the restore",
                     nullptr});
  }
  if (tables.empty() && total == 0)
    own.push_back({"database_empty", Severity::Failure, "",
                   "the restored database holds no rows at all", nullptr});
  step.outcome = outcome_of(own);
  step.data = {{"findings", findings_json(own)}, {"tables", counted}, {"rows", total}};
  if (step.outcome != "pass") {
    step.detail = first_problem(own, {});
    return step;
  }
  std::string detail = std::to_string(user_checks) +
                       (user_checks == 1 ? " user check" : " user checks") +
                       " passed, amcheck clean";
  for (const auto& [table, rows] : counted.items())
    detail += ", " + table + " " + rows.dump() + " rows";
  if (tables.empty()) detail += ", " + std::to_string(total) + " rows in all";
  const auto warnings = own.size();
  if (warnings) detail += " (" + std::to_string(warnings) + " warnings)";
  step.detail = detail;
  return step;
}

DrillStep command_step(const DrillCommand& command)
{
  const auto started = std::chrono::steady_clock::now();
  DrillStep step{"command " + command.name, "pass", 0, "", nullptr};
  pg::ProcessOptions options;
  options.argv = {"/bin/sh", "-c", command.run};
  options.timeout = kDrillCommandTimeout;
  options.output_limit = 64 * 1024;
  try {
    auto result = pg::run_process(options);
    step.data = {{"exit_code", result.exit_code},
                 {"timed_out", result.timed_out},
                 {"output", tail(result.out + result.err, 10)}};
    if (result.exit_code == 0 && !result.timed_out) {
      const auto out = tail(result.out, 1);
      step.detail = "exit 0" + (out.empty() ? std::string() : ": " + out.substr(0, 120));
    } else {
      step.outcome = "fail";
      step.detail = (result.timed_out
                         ? "timed out after " + std::to_string(kDrillCommandTimeout.count()) + " s"
                         : "exit " + std::to_string(result.exit_code)) +
                    ": " + tail(result.err.empty() ? result.out : result.err, 3).substr(0, 300);
    }
  } catch (const std::exception& e) {
    step.outcome = "error";
    step.detail = std::string("could not run it: ") + redact(e.what());
  }
  step.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
  return step;
}

} // namespace lastgood::restore
