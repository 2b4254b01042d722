#pragma once
// `lastgood status`: the judged report boiled down to one block per scope —
// newest backup, newest restorable one, last passing test restore, PITR
// window, and the report's WARN/FAIL items as the problems. No verdict is
// made here: every state and verdict comes from judge / evidence_state /
// newest_restorable (verdicts.hpp).

#include "compliance/verdicts.hpp"

#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

namespace lastgood::compliance {

struct BackupLine
{
  std::string backup_id;
  TimePoint taken{};
  BackupState state = BackupState::Unverified;
};

struct ScopeStatus
{
  const Scope* scope = nullptr;
  Verdict verdict = Verdict::Ok;
  std::optional<BackupLine> newest;     // the newest present backup
  std::optional<BackupLine> restorable; // the newest not known bad
  std::vector<Item> problems;           // the report's WARN and FAIL items, in its order
};

struct Status
{
  TimePoint as_of{};
  Verdict overall = Verdict::Ok; // worst of the shown scopes; the report's when not narrowed
  std::vector<ScopeStatus> scopes;
};

// The judged report, narrowed to the database scopes of one source when
// `source` is given ("default": of no named source; clusters belong to no
// source). Throws UsageError for an invalid source name or one with no scope.
Status summarize(const Report& judged, const std::optional<std::string>& source = std::nullopt);

std::string render_status_text(const Status& status);
nlohmann::json render_status_json(const Status& status);

} // namespace lastgood::compliance
