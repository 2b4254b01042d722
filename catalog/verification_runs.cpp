#include "catalog/verification_runs.hpp"

#include "common/time.hpp"

#include <algorithm>
#include <unistd.h>

namespace lastgood::catalog {

namespace {

constexpr const char* kRunSelect =
    "SELECT r.id, r.backup_id, b.backup_id, r.level, r.trigger, r.outcome, r.started_at, "
    "r.finished_at,"
    " r.scratch, r.scratch_database, r.duration_seconds, r.host, r.pid, r.tool_version,"
    " (SELECT count(*) FROM verification_findings f WHERE f.run_id = r.id),"
    " r.source_match_mode, r.source_match_tables, r.checksum_hash"
    " FROM verification_runs r JOIN backups b ON b.id = r.backup_id";

RunRecord read_run(Statement& s)
{
  RunRecord r;
  r.id = s.int64(0);
  r.backup_row_id = s.int64(1);
  r.backup_id = s.text(2);
  r.level = s.text(3);
  r.trigger = s.text(4);
  r.outcome = s.text(5);
  r.started_at = s.text(6);
  r.finished_at = s.opt_text(7);
  r.scratch = s.opt_text(8);
  r.scratch_database = s.opt_text(9);
  if (!s.is_null(10)) r.duration_seconds = s.real(10);
  r.host = s.text(11);
  r.pid = s.int64(12);
  r.tool_version = s.text(13);
  r.findings = s.int64(14);
  if (!s.is_null(15)) r.source_match = SourceMatch{s.text(15), s.int64(16)};
  r.checksum_hash = s.opt_text(17);
  return r;
}

std::string now_text()
{
  return format_rfc3339(now_seconds());
}

} // namespace

std::int64_t begin_run(Database& db, std::int64_t backup_row_id, const std::string& level,
                       const std::string& trigger, const std::optional<std::string>& scratch)
{
  db.prepare(
        "INSERT INTO verification_runs (backup_id, level, trigger, started_at, scratch, host, pid,"
        " tool_version) VALUES (?, ?, ?, ?, ?, ?, ?, ?)")
      .bind_all(backup_row_id, level, trigger, now_text(), scratch, this_host(),
                static_cast<std::int64_t>(::getpid()), std::string(LASTGOOD_VERSION))
      .run();
  return db.last_insert_id();
}

void set_run_scratch_database(Database& db, std::int64_t run_id, const std::string& name)
{
  db.prepare("UPDATE verification_runs SET scratch_database = ? WHERE id = ?")
      .bind_all(name, run_id)
      .run();
}

void set_run_recovery_point(Database& db, std::int64_t run_id, const std::string& json)
{
  db.prepare("UPDATE verification_runs SET recovery_point = ? WHERE id = ?")
      .bind_all(json, run_id)
      .run();
}

void set_run_source_match(Database& db, std::int64_t run_id, const SourceMatch& match)
{
  db.prepare("UPDATE verification_runs SET source_match_mode = ?, source_match_tables = ? WHERE "
             "id = ?")
      .bind_all(match.mode, match.tables, run_id)
      .run();
}

void finish_run(Database& db, std::int64_t run_id, const std::string& outcome,
                double duration_seconds, const std::vector<FindingRecord>& findings,
                const std::vector<RowCountRecord>& row_counts)
{
  Transaction tx(db);
  // A run already closed stays closed: one whose lease expired was closed as
  // error by the verifier that took it over, and its late result is not evidence.
  db.prepare("UPDATE verification_runs SET outcome = ?, finished_at = ?, duration_seconds = ? "
             "WHERE id = ? AND outcome = 'running'")
      .bind_all(outcome, now_text(), duration_seconds, run_id)
      .run();
  if (db.changes() == 0) return;
  auto add_finding = db.prepare(
      "INSERT INTO verification_findings (run_id, kind, severity, subject, message, detail)"
      " VALUES (?, ?, ?, ?, ?, ?)");
  for (const auto& f : findings)
    add_finding
        .bind_all(run_id, f.kind, f.severity, f.subject, f.message,
                  f.detail.is_null() ? std::optional<std::string>()
                                     : std::optional(f.detail.dump()))
        .run();
  auto add_count =
      db.prepare("INSERT INTO verification_row_counts (run_id, schema_name, table_name, row_count)"
                 " VALUES (?, ?, ?, ?)");
  for (const auto& c : row_counts)
    add_count.bind_all(run_id, c.schema_name, c.table_name, c.row_count).run();
  auto backup = db.prepare("SELECT backup_id FROM verification_runs WHERE id = ?");
  backup.bind(1, run_id);
  if (backup.step()) {
    auto id = backup.int64(0);
    backup.reset();
    refresh_backup_status(db, id);
  }
  tx.commit();
}

void refresh_backup_status(Database& db, std::int64_t backup_row_id)
{
  db.prepare("UPDATE backups SET status = ("
             " SELECT CASE WHEN s.last_restore_outcome = 'fail' OR s.failed_check_after IS NOT "
             "NULL THEN 'bad'"
             "             WHEN s.last_restore_outcome = 'pass' THEN 'good' ELSE 'unverified' END"
             " FROM v_backup_status s WHERE s.id = backups.id) WHERE id = ?")
      .bind(1, backup_row_id)
      .run();
}

std::vector<RunRecord> list_runs(Database& db, std::optional<std::int64_t> backup_row_id, int limit)
{
  auto s = db.prepare(
      std::string(kRunSelect) +
      " WHERE CAST(?1 AS BIGINT) IS NULL OR r.backup_id = ?1 ORDER BY r.id DESC LIMIT ?2");
  s.bind_all(backup_row_id, limit);
  std::vector<RunRecord> out;
  while (s.step())
    out.push_back(read_run(s));
  return out;
}

std::optional<RunRecord> find_run(Database& db, std::int64_t run_id)
{
  auto s = db.prepare(std::string(kRunSelect) + " WHERE r.id = ?");
  s.bind(1, run_id);
  if (!s.step()) return std::nullopt;
  return read_run(s);
}

std::vector<FindingRecord> run_findings(Database& db, std::int64_t run_id)
{
  auto s = db.prepare(
      "SELECT kind, severity, coalesce(subject, ''), message, detail FROM verification_findings"
      " WHERE run_id = ? ORDER BY id");
  s.bind(1, run_id);
  std::vector<FindingRecord> out;
  while (s.step())
    out.push_back({s.text(0), s.text(1), s.text(2), s.text(3),
                   s.is_null(4) ? nlohmann::json() : nlohmann::json::parse(s.text(4))});
  return out;
}

std::vector<RowCountRecord> run_row_counts(Database& db, std::int64_t run_id)
{
  auto s = db.prepare(
      "SELECT schema_name, table_name, row_count FROM verification_row_counts WHERE run_id = ?"
      " ORDER BY schema_name, table_name");
  s.bind(1, run_id);
  std::vector<RowCountRecord> out;
  while (s.step())
    out.push_back({s.text(0), s.text(1), s.int64(2)});
  return out;
}

std::vector<RowCountRecord> previous_passing_row_counts(Database& db, const std::string& database,
                                                        std::int64_t exclude_run)
{
  auto s = db.prepare(
      "SELECT r.id FROM verification_runs r JOIN backups b ON b.id = r.backup_id"
      " WHERE b.database = ? AND r.level = 'restore' AND r.outcome = 'pass' AND r.id <> ?"
      " AND EXISTS (SELECT 1 FROM verification_row_counts c WHERE c.run_id = r.id)"
      " ORDER BY r.id DESC LIMIT 1");
  s.bind_all(database, exclude_run);
  if (!s.step()) return {};
  return run_row_counts(db, s.int64(0));
}

std::vector<RunRecord> reap_interrupted_runs(Database& db)
{
  auto s = db.prepare(std::string(kRunSelect) + " WHERE r.outcome = 'running' AND r.host = ?");
  s.bind(1, this_host());
  std::vector<RunRecord> dead;
  while (s.step()) {
    auto run = read_run(s);
    if (is_dead_local_process(run.host, run.pid)) dead.push_back(run);
  }
  for (const auto& run : dead)
    finish_run(db, run.id, "error", 0.0,
               {{"scratch_error", "error", run.scratch_database.value_or(""),
                 "verification was interrupted (process " + std::to_string(run.pid) +
                     " on this host ended before finishing); its scratch database is removed",
                 nullptr}},
               {});
  return dead;
}

bool close_run_of_expired_lease(Database& db, std::int64_t run_id, const std::string& holder)
{
  auto run = find_run(db, run_id);
  if (!run || run->outcome != "running") return false;
  finish_run(db, run_id, "error", 0.0,
             {{"scratch_error", "error", run->scratch_database.value_or(""),
               "verification was interrupted: its verifier (" + holder +
                   ") stopped renewing its lease, which expired and was taken over",
               nullptr}},
             {});
  return true;
}

bool scratch_database_is_abandoned(Database& db, std::int64_t run_id)
{
  auto run = find_run(db, run_id);
  if (!run) return false; // not ours: never touch it
  if (run->outcome != "running") return true;
  return is_dead_local_process(run->host, run->pid);
}

std::int64_t newest_run_id(Database& db)
{
  auto s = db.prepare("SELECT coalesce(max(id), 0) FROM verification_runs");
  s.step();
  return s.int64(0);
}

std::int64_t verification_watermark(Database& db)
{
  auto newest = db.prepare("SELECT coalesce(max(id), 0) FROM verification_runs");
  newest.step();
  std::int64_t watermark = newest.int64(0);
  // A run of a dead process never finishes: it must not hold the watermark back.
  auto running =
      db.prepare("SELECT id, host, pid FROM verification_runs WHERE outcome = 'running'");
  while (running.step())
    if (!is_dead_local_process(running.text(1), running.int64(2)))
      watermark = std::min(watermark, running.int64(0) - 1);
  return watermark;
}

bool verified_since(Database& db, std::int64_t backup_row_id, std::int64_t watermark,
                    const std::vector<std::string>& levels)
{
  auto s = db.prepare(
      "SELECT level FROM verification_runs WHERE backup_id = ? AND id > ? AND outcome <> 'error'");
  s.bind_all(backup_row_id, watermark);
  while (s.step())
    if (std::find(levels.begin(), levels.end(), s.text(0)) != levels.end()) return true;
  return false;
}

bool verified_and_ended_since(Database& db, std::int64_t backup_row_id, std::int64_t watermark,
                              const std::vector<std::string>& levels)
{
  auto s = db.prepare("SELECT level FROM verification_runs WHERE backup_id = ? AND id > ? AND"
                      " outcome IN ('pass', 'fail')");
  s.bind_all(backup_row_id, watermark);
  while (s.step())
    if (std::find(levels.begin(), levels.end(), s.text(0)) != levels.end()) return true;
  return false;
}

nlohmann::json to_json(const RunRecord& r)
{
  auto opt = [](const auto& v) { return v ? nlohmann::json(*v) : nlohmann::json(); };
  return {{"run", r.id},
          {"backup", r.backup_id},
          {"level", r.level},
          {"trigger", r.trigger},
          {"outcome", r.outcome},
          {"started_at", r.started_at},
          {"finished_at", opt(r.finished_at)},
          {"duration_seconds", opt(r.duration_seconds)},
          {"scratch", opt(r.scratch)},
          {"host", r.host},
          {"pid", r.pid},
          {"tool_version", r.tool_version},
          {"checksum_hash", opt(r.checksum_hash)},
          {"findings", r.findings},
          {"identical_to_source", r.source_match ? to_json(*r.source_match) : nlohmann::json()}};
}

nlohmann::json to_json(const SourceMatch& m)
{
  return {{"mode", m.mode}, {"tables", m.tables}};
}

std::string describe(const SourceMatch& m)
{
  return "identical to the source at backup time (" + m.mode + " of " + std::to_string(m.tables) +
         " tables)";
}

nlohmann::json run_with_findings_json(Database& db, const RunRecord& run)
{
  auto out = to_json(run);
  out["findings"] = nlohmann::json::array();
  for (const auto& f : run_findings(db, run.id))
    out["findings"].push_back(to_json(f));
  auto point = db.prepare("SELECT recovery_point FROM verification_runs WHERE id = ?");
  point.bind(1, run.id);
  if (point.step() && !point.is_null(0))
    out["recovery_point"] = nlohmann::json::parse(point.text(0), nullptr, false);
  return out;
}

nlohmann::json to_json(const FindingRecord& f)
{
  return {{"kind", f.kind},
          {"severity", f.severity},
          {"subject", f.subject},
          {"message", f.message},
          {"detail", f.detail}};
}

} // namespace lastgood::catalog
