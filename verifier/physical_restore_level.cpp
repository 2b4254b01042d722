#include "verifier/physical_restore_level.hpp"

#include "catalog/run_records.hpp"
#include "common/error.hpp"
#include "pg/pg_connection.hpp"
#include "pg/recovery_config.hpp"
#include "pg/role_names.hpp"
#include "pg/scratch_cluster.hpp"
#include "verifier/data_checks.hpp"
#include "verifier/object_access.hpp"
#include "verifier/pgdata_extract.hpp"

#include <algorithm>
#include <chrono>
#include <filesystem>
#include <fstream>
#include <optional>
#include <pqxx/pqxx>
#include <pwd.h>
#include <regex>
#include <thread>
#include <unistd.h>

namespace lastgood::verifier {

namespace {

namespace fk = finding_kind;
namespace fs = std::filesystem;
using namespace std::chrono_literals;

constexpr auto kRecoveryTimeout = 30min;

// Extraction found the backup bad: the findings say why, no server is started.
struct ExtractRefused
{
};

// Lines that say the backup and its WAL cannot be recovered, rather than
// that the scratch environment failed.
bool recovery_failed(const std::string& log)
{
  static const std::regex bad(
      R"(recovery ended before configured recovery target|WAL ends before|could not locate (required|a valid) checkpoint|)"
      R"(invalid checkpoint record|requested recovery stop point is before consistent|)"
      R"(requested timeline \d+ is not a child|invalid record length|incorrect resource manager data checksum|)"
      R"(page verification failed|invalid page in block|could not read block)");
  return std::regex_search(log, bad);
}

// wal-fetch (the restore_command) could not read an archived file for lack of
// access or an I/O error: its message in the server log. Recovery then fails
// for want of WAL, which says nothing about the backup or the archive.
std::optional<std::string> archive_access_failure(const std::string& log)
{
  static const std::regex access(
      R"(lastgood: [^\n]*(permission denied|Permission denied|I/O error|Input/output error|could not connect|timed out)[^\n]*)");
  std::smatch m;
  if (std::regex_search(log, m, access)) return m[0].str();
  return std::nullopt;
}

std::string os_user_name(uid_t uid)
{
  std::vector<char> buf(16384);
  passwd pw{};
  passwd* found = nullptr;
  return ::getpwuid_r(uid, &pw, buf.data(), buf.size(), &found) == 0 && found ? pw.pw_name : "";
}

// A restored cluster keeps its own roles; its bootstrap superuser is usually
// the OS user that ran initdb, else any superuser its pg_authid names. Trust
// on the private socket lets us be it. Returns the roles tried when none is.
std::optional<std::string> find_superuser(pg::ScratchCluster& cluster)
{
  std::vector<std::string> candidates = {"postgres", cluster.run_as(), os_user_name(::geteuid()),
                                         pg::ScratchCluster::kSuperuser};
  for (auto& name : pg::superuser_names_in(cluster.data_dir()))
    candidates.push_back(std::move(name));
  std::vector<std::string> tried;
  for (const auto& user : candidates) {
    if (user.empty() || std::find(tried.begin(), tried.end(), user) != tried.end()) continue;
    tried.push_back(user);
    cluster.set_user(user);
    try {
      auto conn = pg::connect(cluster.conninfo("template1"));
      if (pqxx::nontransaction(*conn)
              .exec1("SELECT rolsuper FROM pg_roles WHERE rolname = current_user")[0]
              .as<bool>())
        return std::nullopt;
    } catch (const std::exception&) {
    }
  }
  std::string list;
  for (const auto& user : tried)
    list += (list.empty() ? "" : ", ") + user;
  return list;
}

// Waits until recovery ended and the server was promoted; false with
// `failure` set when the server went away or took too long.
bool wait_promoted(pg::ScratchCluster& cluster, std::string& failure)
{
  const auto deadline = std::chrono::steady_clock::now() + kRecoveryTimeout;
  while (std::chrono::steady_clock::now() < deadline) {
    try {
      auto conn = pg::connect(cluster.conninfo("template1"));
      if (!pqxx::nontransaction(*conn).exec1("SELECT pg_is_in_recovery()")[0].as<bool>())
        return true;
    } catch (const std::exception& e) {
      failure = e.what();
      if (!cluster.running()) return false;
    }
    std::this_thread::sleep_for(200ms);
  }
  failure = "recovery did not finish within 30 minutes";
  return false;
}

std::vector<std::string> databases(pg::ScratchCluster& cluster)
{
  auto conn = pg::connect(cluster.conninfo("template1"));
  std::vector<std::string> out;
  for (const auto& row :
       pqxx::nontransaction(*conn).exec("SELECT datname FROM pg_database WHERE datallowconn AND "
                                        "NOT datistemplate ORDER BY datname"))
    out.push_back(row[0].as<std::string>());
  return out;
}

void write_owned(const std::string& path, const std::string& text,
                 std::optional<std::pair<uid_t, gid_t>> owner)
{
  std::ofstream out(path, std::ios::trunc);
  out << text;
  out.close();
  if (!out) throw Error("cannot write " + path);
  if (owner && ::chown(path.c_str(), owner->first, owner->second) != 0)
    throw Error("cannot hand over " + path);
}

} // namespace

nlohmann::json recovery_point_from_log(const std::string& log)
{
  nlohmann::json point = nlohmann::json::object();
  static const std::regex stop(R"(LOG:\s+(recovery stopping (before|after) [^\n]*))");
  static const std::regex redo(R"(redo done at ([0-9A-F]+/[0-9A-F]+))");
  static const std::regex consistent(
      R"(consistent recovery state reached at ([0-9A-F]+/[0-9A-F]+))");
  static const std::regex last(R"(last completed transaction was at log time ([^\n]+))");
  static const std::regex timeline(R"(selected new timeline ID: (\d+))");
  std::smatch m;
  if (std::regex_search(log, m, stop)) point["stop"] = m[1].str();
  if (std::regex_search(log, m, redo)) point["redo_done"] = m[1].str();
  if (std::regex_search(log, m, consistent)) point["consistent_at"] = m[1].str();
  if (std::regex_search(log, m, last)) point["last_transaction_time"] = m[1].str();
  if (std::regex_search(log, m, timeline)) point["new_timeline"] = std::stoi(m[1].str());
  return point;
}

PhysicalRestoreResult
restore_base_backup_and_check(catalog::Database& db, storage::Storage& storage,
                              const catalog::BackupRow& backup,
                              const std::vector<catalog::BackupObjectRow>& objects,
                              const PhysicalRestoreRequest& request, const VerifyConfig& config)
{
  PhysicalRestoreResult result;
  pg::ScratchClusterOptions options;
  options.run_as_user = config.run_as;
  options.start_timeout = std::chrono::duration_cast<std::chrono::seconds>(kRecoveryTimeout);
  options.environment = request.server_environment;
  options.populate = [&](const std::string& data_dir,
                         std::optional<std::pair<uid_t, gid_t>> owner) {
    ExtractOptions extract;
    extract.data_dir = data_dir;
    extract.tablespace_dir = fs::path(data_dir).parent_path() / "tablespaces";
    if (owner) extract.owner = Owner{owner->first, owner->second};
    auto extracted = request.materialise ? request.materialise(extract)
                                         : extract_base_backup(storage, backup, objects, extract);
    result.findings.append(extracted.findings);
    if (!extracted.ok()) throw ExtractRefused{};
    // Private socket, trust: the backup's own pg_hba.conf is for its network.
    write_owned(data_dir + "/pg_hba.conf", "local all all trust\n", owner);
    pg::RecoverySettings recovery;
    recovery.target_action = "promote"; // the directory is thrown away afterwards
    const bool pitr = request.target_time || request.target_lsn;
    if (request.target_time) {
      recovery.target_time = *request.target_time;
    } else if (request.target_lsn) {
      recovery.target_lsn = *request.target_lsn;
      recovery.target_inclusive = request.target_inclusive;
    } else {
      recovery.target_immediate = true;
      recovery.target_timeline = "current";
    }
    if (!pitr && extracted.wal_included) {
      // Consistency needs only the WAL inside the backup (pg_wal/), which
      // recovery reads when restore_command has nothing.
      recovery.restore_command = "false";
    } else {
      // The server's user may not read our catalog: give it a copy beside the data.
      std::string catalog_path = db.location();
      if (owner || catalog::wal_fetch_needs_copy(db)) {
        catalog_path = fs::path(data_dir).parent_path() / "catalog-for-wal-fetch.db";
        catalog::copy_catalog_to(db, catalog_path);
        if (owner && ::chown(catalog_path.c_str(), owner->first, owner->second) != 0)
          throw Error("cannot hand the catalog copy " + catalog_path + " to the server's user");
      }
      recovery.restore_command = pg::wal_fetch_command(
          pg::self_executable(), catalog_path, request.config_path, backup.system_identifier);
    }
    pg::write_recovery_config(data_dir, recovery, owner);
  };

  std::unique_ptr<pg::ScratchCluster> cluster;
  try {
    cluster = pg::ScratchCluster::start(options);
  } catch (const ExtractRefused&) {
    return result;
  } catch (const Error& e) {
    const std::string message = e.what();
    if (auto access = archive_access_failure(message)) {
      result.findings.add(unreadable_finding(backup.root_key, "wal-fetch: " + *access));
      return result;
    }
    const bool backup_fault = recovery_failed(message);
    result.findings.add(fk::restore_failed, backup_fault ? Severity::Failure : Severity::Error,
                        backup.root_key,
                        backup_fault ? "recovery of the restored base backup failed: " + message
                                     : "the restored base backup could not be started (" + message +
                                           "); nothing is known about the backup");
    return result;
  }
  if (auto tried = find_superuser(*cluster)) {
    result.findings.add(fk::scratch_error, Severity::Error, backup.root_key,
                        "the restored cluster is up, but none of the roles " + *tried +
                            " is a superuser there (nor could its global/pg_authid name one); "
                            "data checks need one");
    return result;
  }
  std::string failure;
  if (!wait_promoted(*cluster, failure)) {
    const std::string log = cluster->log_tail(30);
    if (auto access = archive_access_failure(cluster->log_tail(400))) {
      result.findings.add(unreadable_finding(backup.root_key, "wal-fetch: " + *access));
      return result;
    }
    result.findings.add(fk::restore_failed,
                        recovery_failed(log) ? Severity::Failure : Severity::Error, backup.root_key,
                        "recovery did not finish: " + failure + "\nserver log (last lines):\n" +
                            log);
    return result;
  }
  result.recovery_point = recovery_point_from_log(cluster->log_tail(400));
  if (request.inspect) request.inspect(*cluster);
  if (!request.data_checks) return result;
  try {
    auto conn = pg::connect(cluster->conninfo("template1"));
    auto row = pqxx::nontransaction(*conn).exec1(
        "SELECT pg_last_xact_replay_timestamp()::text, pg_current_wal_lsn()::text,"
        " (SELECT timeline_id FROM pg_control_checkpoint())");
    if (!row[0].is_null()) result.recovery_point["last_replayed_commit"] = row[0].as<std::string>();
    result.recovery_point["wal_lsn_after_promotion"] = row[1].as<std::string>();
    for (const auto& database : databases(*cluster)) {
      auto checks =
          check_restored_database(cluster->conninfo(database), database, config, {}, request.jobs);
      result.findings.append(checks.findings);
      for (auto& count : checks.row_counts) {
        count.schema_name = database + "." + count.schema_name;
        result.row_counts.push_back(std::move(count));
      }
    }
  } catch (const pqxx::broken_connection& e) {
    result.findings.add(fk::scratch_error, Severity::Error, backup.root_key,
                        std::string("lost the restored server during checks: ") + e.what());
  } catch (const pqxx::failure& e) {
    result.findings.add(fk::scratch_error, Severity::Error, backup.root_key,
                        std::string("checks on the restored cluster failed: ") + e.what());
  }
  return result;
}

} // namespace lastgood::verifier
