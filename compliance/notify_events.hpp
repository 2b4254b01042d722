#pragma once
// What the notification channels announce: one event per scope (its verdict,
// the backup a restore would use, what is wrong and what to do) and one per
// stage of a run that could not do its job. Events are named stably ("database
// shop", "stage scan") so the catalog can remember what was said about each.

#include "compliance/verdicts.hpp"

#include <string>
#include <vector>

namespace lastgood::compliance {

// Ok: healthy (a recovery, if a problem had been announced). Warning: WARN
// verdicts and stages that could not check. Critical: FAIL verdicts.
enum class EventSeverity { Ok, Warning, Critical };

std::string to_string(EventSeverity s);                    // "ok", "warning", "critical"
EventSeverity severity_from_name(const std::string& name); // "warning" | "critical"

struct NotifyEvent
{
  std::string key;   // "database shop", "cluster 7301…", "stage verify"
  std::string title; // the scope as people read it: "database shop (source prod-eu)"
  EventSeverity severity = EventSeverity::Ok;
  std::string verdict;               // OK | WARN | FAIL | ERROR
  std::string backup;                // the backup a restore would use now; empty: none
  std::vector<std::string> problems; // "backup_age FAIL: newest backup 30h old (rpo 24h)"
  std::string what_to_do;
};

// One event per scope of the judged report, healthy ones included, and the
// event "catalog": failing when the catalog holds no scope at all.
std::vector<NotifyEvent> scope_events(const Report& judged);

// A stage of `run` that could not do its job (exit 1): a warning.
NotifyEvent stage_error_event(const std::string& stage, const std::string& summary,
                              const std::vector<std::string>& details);

} // namespace lastgood::compliance
