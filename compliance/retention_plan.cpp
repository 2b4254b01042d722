#include "compliance/retention_plan.hpp"

namespace lastgood::compliance {

RetentionPlan make_plan(std::vector<BackupFacts> backups, std::vector<WalSegmentFacts> wal,
                        const RetentionConfig& config, TimePoint now)
{
  RetentionPlan plan;
  plan.now = now;
  plan.backups = std::move(backups);
  plan.wal = std::move(wal);
  plan.decisions = decide_backups(plan.backups, config, now);
  plan.wal_decision = decide_wal(plan.backups, plan.decisions, plan.wal, now);
  for (std::size_t i = 0; i < plan.backups.size(); ++i)
    if (!plan.decisions[i].keep) {
      ++plan.backups_to_delete;
      plan.bytes_freed += plan.backups[i].size_bytes;
    }
  for (const auto& r : plan.wal_decision.delete_ranges) {
    plan.wal_segments_to_delete += r.segments.size();
    plan.bytes_freed += r.bytes;
  }
  return plan;
}

RetentionPlan plan_retention(catalog::Database& db, const RetentionConfig& config,
                             const LastGoodLookup& last_good, TimePoint now)
{
  return make_plan(load_backup_facts(db, last_good), load_wal_facts(db), config, now);
}

namespace {

nlohmann::json wal_range_json(const WalRange& r)
{
  return {{"repository", r.repository},
          {"system_identifier", r.system_identifier},
          {"timeline", r.timeline},
          {"first", r.first},
          {"last", r.last},
          {"segments", r.segments.size()},
          {"bytes", r.bytes}};
}

} // namespace

nlohmann::json to_json(const RetentionPlan& plan)
{
  nlohmann::json backups = nlohmann::json::array();
  for (std::size_t i = 0; i < plan.backups.size(); ++i) {
    const auto& b = plan.backups[i];
    const auto& d = plan.decisions[i];
    backups.push_back(
        {{"backup_id", b.backup_id},
         {"repository", b.repository},
         {"group", d.group},
         {"kind", b.kind},
         {"time", b.time ? nlohmann::json(format_rfc3339(*b.time)) : nlohmann::json()},
         {"status", b.status},
         {"size_bytes", b.size_bytes},
         {"action", d.keep ? "keep" : "delete"},
         {"reasons", d.reasons}});
  }
  nlohmann::json ranges = nlohmann::json::array();
  for (const auto& r : plan.wal_decision.delete_ranges)
    ranges.push_back(wal_range_json(r));
  return {{"now", format_rfc3339(plan.now)},
          {"backups", backups},
          {"wal_delete", ranges},
          {"wal_notes", plan.wal_decision.notes},
          {"backups_to_delete", plan.backups_to_delete},
          {"wal_segments_to_delete", plan.wal_segments_to_delete},
          {"bytes_freed", plan.bytes_freed}};
}

nlohmann::json summary_json(const RetentionPlan& plan)
{
  nlohmann::json deleted = nlohmann::json::array();
  for (std::size_t i = 0; i < plan.backups.size(); ++i)
    if (!plan.decisions[i].keep) deleted.push_back(plan.backups[i].backup_id);
  nlohmann::json ranges = nlohmann::json::array();
  for (const auto& r : plan.wal_decision.delete_ranges)
    ranges.push_back(r.first + ".." + r.last);
  std::size_t kept = plan.backups.size() - plan.backups_to_delete;
  return {{"backups_to_delete", deleted},
          {"backups_kept", kept},
          {"wal_ranges_to_delete", ranges},
          {"wal_segments_to_delete", plan.wal_segments_to_delete},
          {"bytes_freed", plan.bytes_freed}};
}

} // namespace lastgood::compliance
