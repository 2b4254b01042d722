#pragma once
// Restore history in the catalog (migration 0003): one row per `restore` of a
// logical backup, begun before anything happens on the target server and
// finished with its outcome. Targets are stored redacted.

#include "catalog/database.hpp"

#include <cstdint>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

namespace lastgood::catalog {

struct RestoreRunRecord
{
  std::int64_t id = 0;
  std::int64_t backup_row_id = 0;
  std::string backup_id;
  std::string target; // redacted
  std::string target_database;
  std::optional<std::string> temporary_database;
  nlohmann::json options;
  std::string started_at;
  std::optional<std::string> finished_at;
  std::optional<double> duration_seconds;
  std::string outcome; // running | pass | fail | error
  std::optional<std::string> message;
  std::string host;
  std::int64_t pid = 0;
  // Migration 0008: the swap with --drop-existing and its rollback.
  bool drop_existing = false;
  std::optional<std::string> aside_database;
  std::optional<std::string> safety_snapshot; // backup ID of the snapshot
  std::int64_t terminated_sessions = 0;
  std::optional<std::string> swapped_at, rolled_back_at, rolled_back_database;
};

// Starts a run (outcome 'running'); `target` is redacted before it is stored.
std::int64_t begin_restore_run(Database& db, std::int64_t backup_row_id, const std::string& target,
                               const std::string& target_database, const nlohmann::json& options);
void set_temporary_database(Database& db, std::int64_t run_id, const std::string& name);
// outcome: pass | fail | error; `message` is redacted before it is stored.
void finish_restore_run(Database& db, std::int64_t run_id, const std::string& outcome,
                        double duration_seconds, const std::string& message);

void set_drop_existing(Database& db, std::int64_t run_id);
// Written before the existing database is renamed, so a crash in between is repairable.
void set_aside_database(Database& db, std::int64_t run_id, const std::string& name);
void set_safety_snapshot(Database& db, std::int64_t run_id, std::int64_t backup_row_id);
void set_terminated_sessions(Database& db, std::int64_t run_id, std::int64_t count);
void mark_swapped(Database& db, std::int64_t run_id);
void mark_rolled_back(Database& db, std::int64_t run_id, const std::string& rolled_back_database);
// Closes a run whose process died: outcome 'error', the message says why.
void mark_interrupted(Database& db, std::int64_t run_id, const std::string& message);

// Runs left 'running' by a process on this host that no longer exists, whose
// (redacted) target is `target`.
std::vector<RestoreRunRecord> interrupted_restore_runs(Database& db, const std::string& target);

std::vector<RestoreRunRecord> list_restore_runs(Database& db, int limit = 200);
std::optional<RestoreRunRecord> find_restore_run(Database& db, std::int64_t run_id);

nlohmann::json to_json(const RestoreRunRecord& run);

} // namespace lastgood::catalog
