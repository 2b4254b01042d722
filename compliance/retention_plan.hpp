#pragma once
// `retention plan`: every backup with keep or delete and every reason, the
// WAL ranges to delete, and the bytes freed. Nothing is changed.

#include "catalog/database.hpp"
#include "common/config.hpp"
#include "compliance/retention_facts.hpp"
#include "compliance/retention_policy.hpp"
#include "compliance/wal_retention.hpp"

#include <cstdint>
#include <nlohmann/json.hpp>
#include <vector>

namespace lastgood::compliance {

struct RetentionPlan
{
  TimePoint now{};
  std::vector<BackupFacts> backups;
  std::vector<BackupDecision> decisions; // parallel to backups
  std::vector<WalSegmentFacts> wal;
  WalDecision wal_decision;
  std::size_t backups_to_delete = 0;
  std::size_t wal_segments_to_delete = 0;
  std::uint64_t bytes_freed = 0;
};

RetentionPlan make_plan(std::vector<BackupFacts> backups, std::vector<WalSegmentFacts> wal,
                        const RetentionConfig& config, TimePoint now);
RetentionPlan plan_retention(catalog::Database& db, const RetentionConfig& config,
                             const LastGoodLookup& last_good, TimePoint now);

nlohmann::json to_json(const RetentionPlan& plan);
// The counts and what goes, for the retention.apply audit row.
nlohmann::json summary_json(const RetentionPlan& plan);

} // namespace lastgood::compliance
