#include "compliance/notify_events.hpp"

#include "common/redact.hpp"
#include "compliance/report_render.hpp"

#include <map>

namespace lastgood::compliance {

namespace {

// The first thing to do for each kind of failing item.
std::string advice_for(const std::string& item)
{
  static const std::map<std::string, std::string> advice = {
      {"backup_age", "check the backup job, then take one now (lastgood backup)"},
      {"newest_backup", "check the backup job, then take one now (lastgood backup)"},
      {"restore_tested", "test-restore it: lastgood verify --due, then lastgood history"},
      {"verification", "read the failed run: lastgood history, lastgood show BACKUP"},
      {"objects", "objects are missing or damaged: lastgood scan, then lastgood show BACKUP"},
      {"pitr_window", "check WAL archiving: lastgood wal"},
      {"restore_duration", "restores take longer than [compliance] rto: lastgood report"},
      {"retention", "see what retention keeps: lastgood retention plan"},
  };
  auto it = advice.find(item);
  return it == advice.end() ? "read lastgood report" : it->second;
}

} // namespace

std::string to_string(EventSeverity s)
{
  switch (s) {
  case EventSeverity::Ok:
    return "ok";
  case EventSeverity::Warning:
    return "warning";
  case EventSeverity::Critical:
    return "critical";
  }
  return "ok";
}

EventSeverity severity_from_name(const std::string& name)
{
  return name == "critical" ? EventSeverity::Critical : EventSeverity::Warning;
}

std::vector<NotifyEvent> scope_events(const Report& judged)
{
  std::vector<NotifyEvent> out;
  for (const auto& verdicts : judged.scopes) {
    const auto& scope = *verdicts.scope;
    NotifyEvent e;
    e.key = scope.kind + " " + qualified_name(scope);
    e.title = scope_title(scope);
    e.verdict = to_string(verdicts.overall);
    e.severity = verdicts.overall == Verdict::Fail   ? EventSeverity::Critical
                 : verdicts.overall == Verdict::Warn ? EventSeverity::Warning
                                                     : EventSeverity::Ok;
    if (const auto* b = newest_restorable(scope)) e.backup = b->backup_id;
    std::vector<std::string> advice;
    for (const auto& item : verdicts.items) {
      if (item.verdict == Verdict::Ok) continue;
      e.problems.push_back(item.name + " " + to_string(item.verdict) + ": " + redact(item.summary));
      // Failures first: what to do about the worst.
      auto a = advice_for(item.name);
      if (std::find(advice.begin(), advice.end(), a) == advice.end())
        advice.insert(item.verdict == Verdict::Fail ? advice.begin() : advice.end(), a);
    }
    for (std::size_t i = 0; i < advice.size(); ++i)
      e.what_to_do += (i ? "; " : "") + advice[i];
    out.push_back(std::move(e));
  }
  // Judged with no scope at all (an empty catalog): the verdict belongs to the catalog.
  NotifyEvent catalog;
  catalog.key = "catalog";
  catalog.title = "the catalog";
  catalog.verdict = to_string(judged.scopes.empty() ? judged.overall : Verdict::Ok);
  if (judged.scopes.empty() && judged.overall != Verdict::Ok) {
    catalog.severity =
        judged.overall == Verdict::Fail ? EventSeverity::Critical : EventSeverity::Warning;
    catalog.problems.push_back("no backups cataloged");
    catalog.what_to_do = "scan the repositories (lastgood scan) or take a backup (lastgood backup)";
  }
  out.push_back(std::move(catalog));
  return out;
}

NotifyEvent stage_error_event(const std::string& stage, const std::string& summary,
                              const std::vector<std::string>& details)
{
  NotifyEvent e;
  e.key = "stage " + stage;
  e.title = "lastgood run, stage " + stage;
  e.severity = EventSeverity::Warning;
  e.verdict = "ERROR";
  e.problems.push_back(redact(summary));
  // The first few are enough for a message; the rest is in the journal.
  for (std::size_t i = 0; i < details.size() && i < 3; ++i)
    e.problems.push_back(redact(details[i]));
  e.what_to_do = "the " + stage + " stage could not do its job: read the journal of lastgood run";
  return e;
}

} // namespace lastgood::compliance
