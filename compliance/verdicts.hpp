#pragma once
// Judging the facts against [compliance] and [retention]: one OK/WARN/FAIL
// line per item and scope, and the worst of them overall. Pure: the same
// facts, configuration and moment always give the same verdicts.

#include "common/config.hpp"
#include "compliance/report_facts.hpp"

#include <string>
#include <vector>

namespace lastgood::compliance {

enum class Verdict { Ok, Warn, Fail };

std::string to_string(Verdict v); // "OK", "WARN", "FAIL"

// Past this share of a target (RPO, verified_within, RTO) an item warns.
inline constexpr double kWarnShare = 0.8;

struct Item
{
  std::string name; // backup_age, restore_tested, restore_duration, pitr_window, retention,
                    // objects, holds, deletions
  Verdict verdict = Verdict::Ok;
  std::string summary; // one line: what was measured against what
};

struct ScopeVerdicts
{
  const Scope* scope = nullptr;
  std::vector<Item> items;
  Verdict overall = Verdict::Ok;
};

struct Report
{
  const ReportFacts* facts = nullptr;
  ComplianceConfig targets;
  std::vector<ScopeVerdicts> scopes;
  Verdict overall = Verdict::Ok;
};

// The retention rules in force for a scope: the [retention] defaults with the
// keys of [retention.database.NAME] / [retention.cluster.SYSID] on top.
RetentionRules rules_for(const RetentionConfig& retention, const Scope& scope);

Report judge(const ReportFacts& facts, const Config& config);

double median(std::vector<double> values);

} // namespace lastgood::compliance
