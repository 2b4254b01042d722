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

// What the evidence says of one backup. Bad needs evidence of damage (a failed
// run, an object gone from storage); Error means the newest attempt could not
// check it (permissions, unreachable server): neither good nor bad.
enum class BackupState { Good, Bad, Error, Unverified };

std::string to_string(BackupState s); // "good", "bad", "error", "unverified"

BackupState evidence_state(const BackupFact& backup);

// The newest backup not known bad (no failed run, no missing object): what a
// restore would use now, and what the RPO is measured from. nullptr: none.
const BackupFact* newest_restorable(const Scope& scope);

// Past this share of a target (RPO, verified_within, RTO) an item warns.
inline constexpr double kWarnShare = 0.8;

struct Item
{
  std::string name; // backup_age, newest_backup, restore_tested, verification,
                    // restore_duration, pitr_window, retention, objects, holds, deletions
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
