#pragma once
// `retention apply`: carries out a plan. Writes the retention.apply audit row
// first, then per backup a retention.delete_backup row and per WAL range a
// retention.delete_wal row before touching storage; removes the objects and
// marks them (objects.deleted_at) and the backup (backups.deleted_at, once
// all its objects are gone). Rows are never removed. A deletion storage
// refuses (permissions, object lock) is recorded (retention.delete_refused)
// and reported, and the rest goes on.

#include "catalog/database.hpp"
#include "compliance/retention_plan.hpp"

#include <cstdint>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

namespace lastgood::compliance {

struct RefusedDeletion
{
  std::string repository;
  std::string subject; // backup ID or WAL range
  std::string key;     // the object storage refused to delete
  std::string message; // what storage said
  std::string what_to_do;
};

struct ApplyResult
{
  std::vector<std::string> deleted_backups;
  std::vector<std::string> partly_deleted_backups;  // some objects refused: not marked deleted
  std::vector<std::string> skipped_backups;         // put under hold after planning
  std::vector<std::string> already_deleted_backups; // by another apply since the plan was made
  std::size_t objects_deleted = 0;
  std::size_t objects_already_gone = 0; // storage had no such object any more: marked deleted
  std::size_t wal_segments_deleted = 0;
  std::uint64_t bytes_freed = 0;
  std::vector<RefusedDeletion> refused;
};

ApplyResult apply_retention(catalog::Database& db, const RetentionPlan& plan);

nlohmann::json to_json(const ApplyResult& result);

} // namespace lastgood::compliance
