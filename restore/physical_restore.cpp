#include "restore/physical_restore.hpp"

#include "catalog/audit.hpp"
#include "catalog/backup_queries.hpp"
#include "catalog/repositories.hpp"
#include "catalog/repository_format.hpp"
#include "catalog/run_records.hpp"
#include "catalog/verification_runs.hpp"
#include "common/error.hpp"
#include "common/time.hpp"
#include "pg/child_process.hpp"
#include "pg/recovery_config.hpp"
#include "pg/scratch_cluster.hpp"
#include "storage/storage.hpp"
#include "verifier/barman_levels.hpp"
#include "verifier/pgbackrest_levels.hpp"
#include "verifier/pgdata_extract.hpp"
#include "verifier/physical_restore_level.hpp"

#include <chrono>
#include <filesystem>
#include <fstream>
#include <pwd.h>
#include <regex>
#include <thread>
#include <unistd.h>

namespace lastgood::restore {

namespace {

namespace fs = std::filesystem;
using namespace std::chrono_literals;

std::string now_text()
{
  return format_rfc3339(now_seconds());
}

// "" when DIR may be restored into, else why not.
std::string refusal(const std::string& pgdata)
{
  std::error_code ec;
  if (!fs::exists(pgdata, ec)) return "";
  if (!fs::is_directory(pgdata, ec)) return pgdata + " exists and is not a directory";
  if (!fs::is_empty(pgdata, ec))
    return pgdata + " is not empty; restore into an empty or new directory";
  return "";
}

std::optional<std::pair<uid_t, gid_t>> server_owner(const std::string& run_as)
{
  if (::geteuid() != 0) return std::nullopt;
  const std::string user = run_as.empty() ? "postgres" : run_as;
  std::vector<char> buf(16384);
  passwd pw{};
  passwd* found = nullptr;
  if (::getpwnam_r(user.c_str(), &pw, buf.data(), buf.size(), &found) != 0 || !found)
    throw UsageError("no OS user '" + user +
                     "' to own the restored data directory; give --run-as USER");
  return std::pair{pw.pw_uid, pw.pw_gid};
}

std::int64_t begin_run(catalog::Database& db, const PitrPlan& plan, const PhysicalRestoreOptions& o)
{
  nlohmann::json target = {
      {"kind", to_string(plan.target.kind)},
      {"time", o.target_time ? nlohmann::json(*o.target_time) : nlohmann::json()},
      {"timeline", plan.target_timeline},
      {"action", o.target_action}};
  if (plan.target.lsn) target["lsn"] = plan.target.lsn->str();
  if (plan.target.xid) target["xid"] = *plan.target.xid;
  if (!plan.target.inclusive) target["inclusive"] = false;
  return catalog::begin_physical_restore_run(db, plan.backup->id, o.pgdata, target.dump(),
                                             static_cast<std::int64_t>(plan.wal.size()),
                                             now_text());
}

void finish_run(catalog::Database& db, PhysicalRestoreResult& r, double seconds)
{
  catalog::finish_physical_restore_run(db, r.run_id, now_text(), seconds, r.outcome, r.message,
                                       r.recovery_point.is_null()
                                           ? std::optional<std::string>()
                                           : std::optional(r.recovery_point.dump()));
  catalog::write_audit(db, "restore.finished", r.plan.backup->backup_id,
                       r.outcome == "pass" ? catalog::Severity::Info : catalog::Severity::Error,
                       {{"run", r.run_id}, {"outcome", r.outcome}, {"message", r.message}});
}

// Starts the restored server (pg_ctl, a free port, its socket in /tmp) and
// waits for recovery to reach its end: paused at the target, promoted, shut
// down at the target, or failed.
// environment: the server's additions (wal-fetch inherits them), e.g. an
// encrypted repository's passphrase, which goes on no command line.
void start_and_wait(const PhysicalRestoreOptions& o, const std::string& user,
                    const std::vector<std::pair<std::string, std::string>>& environment,
                    PhysicalRestoreResult& r)
{
  const std::string log = o.pgdata + "/lastgood-restore.log";
  const int port = pg::pick_free_port();
  auto started =
      pg::run_process({.argv = {pg::find_pg_program("pg_ctl"), "-D", o.pgdata, "-l", log, "-o",
                                "-p " + std::to_string(port) + " -k /tmp", "start"},
                       .env = environment,
                       .run_as_user = user,
                       .cwd = "/",
                       .timeout = 60s});
  if (started.exit_code != 0 && !fs::exists(log)) {
    r.outcome = "error";
    r.message = pg::describe_failure(started, "pg_ctl start");
    return;
  }
  static const std::regex done(
      R"(pausing at the end of recovery|database system is ready to accept connections|)"
      R"(shutdown at recovery target|FATAL:)");
  const auto deadline = std::chrono::steady_clock::now() + 30min;
  std::string text;
  while (std::chrono::steady_clock::now() < deadline) {
    std::ifstream in(log);
    text.assign(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
    std::smatch m;
    // "ready to accept connections" also ends crash recovery before archive recovery: wait for its
    // end.
    if (std::regex_search(text, m, done) &&
        (m.str() != "database system is ready to accept connections" ||
         text.find("archive recovery complete") != std::string::npos))
      break;
    std::this_thread::sleep_for(200ms);
  }
  r.recovery_point = verifier::recovery_point_from_log(text);
  r.recovery_point["port"] = port;
  r.recovery_point["socket_dir"] = "/tmp";
  r.recovery_point["log"] = log;
  if (text.find("FATAL:") != std::string::npos) {
    r.outcome = "fail";
    auto from = text.rfind('\n', text.find("FATAL:"));
    r.message = "recovery failed: " + text.substr(from == std::string::npos ? 0 : from + 1, 600);
    return;
  }
  r.outcome = "pass";
}

} // namespace

PhysicalRestoreResult dry_run_physical_restore(catalog::Database& db,
                                               const PhysicalRestoreOptions& o)
{
  PhysicalRestoreResult r;
  r.plan = plan_pitr(db, o.plan);
  if (!r.plan.reachable) {
    r.outcome = "unreachable";
    r.message = r.plan.unreachable ? r.plan.unreachable->message : "the target cannot be reached";
    r.exit_code = kExitProblem;
    return r;
  }
  if (auto why = refusal(o.pgdata); !why.empty()) {
    r.outcome = "refused";
    r.message = why;
    r.exit_code = kExitUsage;
    return r;
  }
  r.restore_command = pg::wal_fetch_command(pg::self_executable(), o.catalog_path, o.config_path,
                                            r.plan.system_identifier);
  r.outcome = "planned";
  return r;
}

PhysicalRestoreResult run_physical_restore(catalog::Database& db, const PhysicalRestoreOptions& o)
{
  auto r = dry_run_physical_restore(db, o);
  if (r.outcome != "planned") return r;
  const auto owner = server_owner(o.run_as);
  auto backup = catalog::find_backup(db, r.plan.backup->backup_id);
  auto repo = catalog::find_repository(db, r.plan.backup->repository);
  if (!backup || !repo)
    throw UsageError("backup " + r.plan.backup->backup_id + " or its repository is gone");
  catalog::write_audit(db, "restore.started", backup->backup_id, catalog::Severity::Info,
                       {{"pgdata", o.pgdata}, {"target", to_string(r.plan.target.kind)}});
  r.run_id = begin_run(db, r.plan, o);
  const auto started = std::chrono::steady_clock::now();
  try {
    auto storage = storage::open_storage(repo->url);
    verifier::ExtractOptions extract;
    extract.data_dir = o.pgdata;
    if (owner) extract.owner = verifier::Owner{owner->first, owner->second};
    // Another tool's backup is read through its own layout: pgBackRest's
    // manifest, references and bundles; Barman's data/ or tars.
    const bool pgbackrest = backup->format == catalog::repository_format::pgbackrest;
    const auto passphrase =
        pgbackrest && o.cipher_pass ? o.cipher_pass(backup->repository) : std::nullopt;
    std::vector<std::pair<std::string, std::string>> server_environment;
    if (passphrase) server_environment = {{cipher_pass_variable(backup->repository), *passphrase}};
    auto extracted = pgbackrest ? verifier::materialise_pgbackrest_backup(
                                      *storage, *backup, o.pgdata, extract.owner, passphrase)
                     : backup->format == "barman"
                         ? verifier::materialise_barman_backup(*storage, *backup, extract)
                         : verifier::extract_base_backup(
                               *storage, *backup, catalog::backup_objects(db, backup->id), extract);
    if (!extracted.ok()) {
      r.outcome = extracted.findings.any(verifier::Severity::Failure) ? "fail" : "error";
      for (const auto& f : extracted.findings.items())
        if (f.severity != verifier::Severity::Warning) {
          r.message = f.message;
          break;
        }
      r.exit_code = r.outcome == "fail" ? kExitProblem : kExitFailed;
    } else {
      // The server's user may not read our catalog: it gets a copy beside DIR.
      std::string catalog_path = o.catalog_path;
      if (owner || catalog::wal_fetch_needs_copy(db)) {
        // In a directory of its own: SQLite writes its -wal/-shm files beside it.
        const std::string dir = o.pgdata + ".wal-fetch";
        catalog_path = dir + "/catalog.db";
        std::error_code ignored;
        fs::remove_all(dir, ignored);
        fs::create_directory(dir);
        catalog::copy_catalog_to(db, catalog_path);
        if (owner && (::chown(dir.c_str(), owner->first, owner->second) != 0 ||
                      ::chown(catalog_path.c_str(), owner->first, owner->second) != 0))
          throw Error("cannot hand " + catalog_path + " to the server's user");
      }
      pg::RecoverySettings settings;
      settings.restore_command = pg::wal_fetch_command(pg::self_executable(), catalog_path,
                                                       o.config_path, r.plan.system_identifier);
      r.restore_command = settings.restore_command;
      if (r.plan.target.kind == TargetKind::Immediate) settings.target_immediate = true;
      if (r.plan.target.kind == TargetKind::Time)
        settings.target_time = pg::recovery_target_time_value(*o.target_time);
      if (r.plan.target.kind == TargetKind::Lsn) settings.target_lsn = r.plan.target.lsn->str();
      if (r.plan.target.kind == TargetKind::Xid)
        settings.target_xid = std::to_string(*r.plan.target.xid);
      settings.target_inclusive = r.plan.target.inclusive;
      settings.target_timeline = o.plan.timeline ? std::to_string(*o.plan.timeline) : "latest";
      settings.target_action = o.target_action;
      // The backup's archive_command points at the old server's archive.
      settings.extra = {{"archive_mode", "off"}};
      pg::write_recovery_config(o.pgdata, settings, owner);
      r.outcome = "pass";
      r.message = "restored " + backup->backup_id + " into " + o.pgdata + " (" +
                  std::to_string(extracted.files) + " files checked), " +
                  std::to_string(r.plan.wal.size()) + " archived WAL files planned";
      if (o.start) {
        start_and_wait(o, owner ? (o.run_as.empty() ? "postgres" : o.run_as) : "",
                       server_environment, r);
        if (r.outcome == "pass") r.message += "; server started, recovery reached its end";
      }
      r.exit_code = r.outcome == "pass"   ? kExitOk
                    : r.outcome == "fail" ? kExitProblem
                                          : kExitFailed;
    }
  } catch (const Error& e) {
    r.outcome = "error";
    r.message = e.what();
    r.exit_code = e.exit_code() == kExitUsage ? kExitUsage : kExitFailed;
  }
  finish_run(db, r,
             std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count());
  return r;
}

nlohmann::json to_json(const PhysicalRestoreResult& r)
{
  return {{"plan", to_json(r.plan)},
          {"run", r.run_id ? nlohmann::json(r.run_id) : nlohmann::json()},
          {"outcome", r.outcome},
          {"message", r.message},
          {"restore_command", r.restore_command},
          {"recovery_point", r.recovery_point}};
}

} // namespace lastgood::restore
