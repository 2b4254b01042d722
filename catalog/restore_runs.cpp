#include "catalog/restore_runs.hpp"

#include "catalog/verification_runs.hpp"
#include "common/redact.hpp"
#include "common/time.hpp"

#include <cerrno>
#include <csignal>
#include <unistd.h>

namespace lastgood::catalog {

namespace {

constexpr const char* kSelect =
    "SELECT r.id, r.backup_id, b.backup_id, r.target, r.target_database, r.temporary_database,"
    " r.options, r.started_at, r.finished_at, r.duration_seconds, r.outcome, r.message, r.host, "
    "r.pid, r.drop_existing, r.aside_database, sb.backup_id, r.terminated_sessions, r.swapped_at,"
    " r.rolled_back_at, r.rolled_back_database"
    " FROM restore_runs r JOIN backups b ON b.id = r.backup_id"
    " LEFT JOIN backups sb ON sb.id = r.safety_snapshot_backup_id";

RestoreRunRecord read_run(Statement& s)
{
  RestoreRunRecord r;
  r.id = s.int64(0);
  r.backup_row_id = s.int64(1);
  r.backup_id = s.text(2);
  r.target = s.text(3);
  r.target_database = s.text(4);
  r.temporary_database = s.opt_text(5);
  r.options = nlohmann::json::parse(s.text(6), nullptr, false);
  r.started_at = s.text(7);
  r.finished_at = s.opt_text(8);
  if (!s.is_null(9)) r.duration_seconds = s.real(9);
  r.outcome = s.text(10);
  r.message = s.opt_text(11);
  r.host = s.text(12);
  r.pid = s.int64(13);
  r.drop_existing = s.int64(14) != 0;
  r.aside_database = s.opt_text(15);
  r.safety_snapshot = s.opt_text(16);
  r.terminated_sessions = s.int64(17);
  r.swapped_at = s.opt_text(18);
  r.rolled_back_at = s.opt_text(19);
  r.rolled_back_database = s.opt_text(20);
  return r;
}

std::string now_text()
{
  return format_rfc3339(now_seconds());
}

} // namespace

std::int64_t begin_restore_run(Database& db, std::int64_t backup_row_id, const std::string& target,
                               const std::string& target_database, const nlohmann::json& options)
{
  db.prepare("INSERT INTO restore_runs (backup_id, target, target_database, options, started_at,"
             " host, pid, tool_version) VALUES (?, ?, ?, ?, ?, ?, ?, ?)")
      .bind_all(backup_row_id, redact(target), target_database, options.dump(), now_text(),
                this_host(), static_cast<std::int64_t>(::getpid()), std::string(LASTGOOD_VERSION))
      .run();
  return db.last_insert_id();
}

void set_temporary_database(Database& db, std::int64_t run_id, const std::string& name)
{
  db.prepare("UPDATE restore_runs SET temporary_database = ? WHERE id = ?")
      .bind_all(name, run_id)
      .run();
}

void finish_restore_run(Database& db, std::int64_t run_id, const std::string& outcome,
                        double duration_seconds, const std::string& message)
{
  db.prepare("UPDATE restore_runs SET outcome = ?, finished_at = ?, duration_seconds = ?,"
             " message = ? WHERE id = ?")
      .bind_all(outcome, now_text(), duration_seconds, redact(message), run_id)
      .run();
}

void set_drop_existing(Database& db, std::int64_t run_id)
{
  db.prepare("UPDATE restore_runs SET drop_existing = 1 WHERE id = ?").bind_all(run_id).run();
}

void set_aside_database(Database& db, std::int64_t run_id, const std::string& name)
{
  db.prepare("UPDATE restore_runs SET aside_database = ? WHERE id = ?")
      .bind_all(name, run_id)
      .run();
}

void set_safety_snapshot(Database& db, std::int64_t run_id, std::int64_t backup_row_id)
{
  db.prepare("UPDATE restore_runs SET safety_snapshot_backup_id = ? WHERE id = ?")
      .bind_all(backup_row_id, run_id)
      .run();
}

void set_terminated_sessions(Database& db, std::int64_t run_id, std::int64_t count)
{
  db.prepare("UPDATE restore_runs SET terminated_sessions = terminated_sessions + ? WHERE id = ?")
      .bind_all(count, run_id)
      .run();
}

void mark_swapped(Database& db, std::int64_t run_id)
{
  db.prepare("UPDATE restore_runs SET swapped_at = ? WHERE id = ?")
      .bind_all(now_text(), run_id)
      .run();
}

void mark_rolled_back(Database& db, std::int64_t run_id, const std::string& rolled_back_database)
{
  db.prepare("UPDATE restore_runs SET rolled_back_at = ?, rolled_back_database = ? WHERE id = ?")
      .bind_all(now_text(), rolled_back_database, run_id)
      .run();
}

void mark_interrupted(Database& db, std::int64_t run_id, const std::string& message)
{
  db.prepare("UPDATE restore_runs SET outcome = 'error', finished_at = ?, message = ?"
             " WHERE id = ? AND outcome = 'running'")
      .bind_all(now_text(), redact(message), run_id)
      .run();
}

std::vector<RestoreRunRecord> interrupted_restore_runs(Database& db, const std::string& target)
{
  auto s = db.prepare(std::string(kSelect) +
                      " WHERE r.outcome = 'running' AND r.host = ? AND r.target = ? ORDER BY r.id");
  s.bind_all(this_host(), target);
  std::vector<RestoreRunRecord> out;
  while (s.step()) {
    auto run = read_run(s);
    const auto pid = static_cast<pid_t>(run.pid);
    const bool alive = pid == ::getpid() || ::kill(pid, 0) == 0 || errno == EPERM;
    if (!alive) out.push_back(std::move(run));
  }
  return out;
}

std::vector<RestoreRunRecord> list_restore_runs(Database& db, int limit)
{
  auto s = db.prepare(std::string(kSelect) + " ORDER BY r.id DESC LIMIT ?");
  s.bind(1, limit);
  std::vector<RestoreRunRecord> out;
  while (s.step())
    out.push_back(read_run(s));
  return out;
}

std::optional<RestoreRunRecord> find_restore_run(Database& db, std::int64_t run_id)
{
  auto s = db.prepare(std::string(kSelect) + " WHERE r.id = ?");
  s.bind(1, run_id);
  if (!s.step()) return std::nullopt;
  return read_run(s);
}

nlohmann::json to_json(const RestoreRunRecord& r)
{
  auto opt = [](const auto& v) { return v ? nlohmann::json(*v) : nlohmann::json(); };
  return {{"run", r.id},
          {"backup", r.backup_id},
          {"target", r.target},
          {"target_database", r.target_database},
          {"temporary_database", opt(r.temporary_database)},
          {"options", r.options},
          {"started_at", r.started_at},
          {"finished_at", opt(r.finished_at)},
          {"duration_seconds", opt(r.duration_seconds)},
          {"outcome", r.outcome},
          {"message", opt(r.message)},
          {"host", r.host},
          {"drop_existing", r.drop_existing},
          {"aside_database", opt(r.aside_database)},
          {"safety_snapshot", opt(r.safety_snapshot)},
          {"terminated_sessions", r.terminated_sessions},
          {"swapped_at", opt(r.swapped_at)},
          {"rolled_back_at", opt(r.rolled_back_at)},
          {"rolled_back_database", opt(r.rolled_back_database)}};
}

} // namespace lastgood::catalog
