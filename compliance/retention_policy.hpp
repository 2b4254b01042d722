#pragma once
// Which backups retention keeps, and every reason why. Pure: facts, rules and
// the time in, decisions out.
//
// Backups are grouped per repository and per database (logical) or cluster
// (physical); each group's rules are [retention] overridden key by key by
// [retention.database.NAME] or [retention.cluster.SYSID]. A group with no rule
// at all keeps everything. Whatever the rules say, these are never deleted:
// the last known good backup of a database or cluster, a backup under an
// active hold, a backup with an object under a storage lock, a backup that is
// missing from storage or whose time is unknown, and one in a repository that
// is no longer registered. pitr_window applies to base backups only.

#include "common/config.hpp"
#include "compliance/retention_facts.hpp"

#include <string>
#include <vector>

namespace lastgood::compliance {

struct BackupDecision
{
  std::string group; // e.g. "nightly: database shop"
  bool keep = true;
  std::vector<std::string> reasons; // why kept; for a deletion, which rules were in force
};

// The rules in force for one backup's group.
RetentionRules effective_rules(const RetentionConfig& config, const BackupFacts& backup);
bool any_rule(const RetentionRules& rules);
std::string describe_rules(const RetentionRules& rules); // "keep_last 3, keep_daily 7"

// One decision per backup, in the same order.
std::vector<BackupDecision> decide_backups(const std::vector<BackupFacts>& backups,
                                           const RetentionConfig& config, TimePoint now);

} // namespace lastgood::compliance
