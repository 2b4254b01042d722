// The report as one JSON document: verdicts and the facts behind them.

#include "compliance/report_render.hpp"

namespace lastgood::compliance {

namespace {

using nlohmann::json;

json opt_time(const std::optional<TimePoint>& t)
{
  return t ? json(format_rfc3339(*t)) : json();
}

json scope_facts(const Scope& s)
{
  json backups = json::array();
  for (const auto& b : s.backups)
    backups.push_back({{"backup_id", b.backup_id},
                       {"kind", b.kind},
                       {"status", b.status},
                       {"state", to_string(evidence_state(b))},
                       {"last_outcome", b.last_outcome ? json(*b.last_outcome) : json()},
                       {"last_problem", b.last_problem ? json(*b.last_problem) : json()},
                       {"taken", format_rfc3339(b.taken)},
                       {"size_bytes", b.size_bytes},
                       {"objects_missing", b.objects_missing},
                       {"failing_check", b.failing_check},
                       {"held", b.held}});
  json gaps = json::array();
  for (const auto& g : s.wal_gaps)
    gaps.push_back(
        {{"timeline", g.timeline}, {"first", g.first}, {"last", g.last}, {"segments", g.segments}});
  json holds = json::array();
  for (const auto& h : s.holds)
    holds.push_back({{"backup_id", h.backup_id},
                     {"reason", h.reason},
                     {"until", h.until ? json(*h.until) : json()},
                     {"created_by", h.created_by},
                     {"created_at", h.created_at},
                     {"backup_gone", h.backup_gone}});
  json pitr;
  if (s.pitr)
    pitr = {{"from", format_rfc3339(s.pitr->from)},
            {"to", format_rfc3339(s.pitr->to)},
            {"seconds", (s.pitr->to - s.pitr->from).count()},
            {"from_backup", s.pitr->from_backup},
            {"to_timeline", s.pitr->to_timeline},
            {"to_segment", s.pitr->to_segment}};
  return {{"newest_backup", opt_time(s.newest_backup)},
          {"oldest_backup", opt_time(s.oldest_backup)},
          {"last_good_test", opt_time(s.last_good_test)},
          {"last_good_backup", s.last_good_backup ? json(*s.last_good_backup) : json()},
          {"last_good_identical_to_source",
           s.last_good_identical ? catalog::to_json(*s.last_good_identical) : json()},
          {"restore_seconds", s.restore_seconds},
          {"pitr_window", s.kind == "cluster" ? (s.pitr ? pitr : json("none")) : json()},
          {"consistent_points", s.consistent_points},
          {"wal_gaps", gaps},
          {"objects_missing", s.objects_missing},
          {"backups_failing_checks", s.backups_failing_checks},
          {"holds", holds},
          {"backups_deleted", s.backups_deleted},
          {"wal_deleted", s.wal_deleted},
          {"held_backups_deleted", s.held_backups_deleted},
          {"backups", backups}};
}

} // namespace

json render_json(const Report& r)
{
  json scopes = json::array();
  for (const auto& s : r.scopes) {
    json items = json::array();
    for (const auto& i : s.items)
      items.push_back(
          {{"item", i.name}, {"verdict", to_string(i.verdict)}, {"summary", i.summary}});
    scopes.push_back(
        {{"kind", s.scope->kind},
         {"name", s.scope->name},
         {"source", s.scope->source ? nlohmann::json(*s.scope->source) : nlohmann::json()},
         {"verdict", to_string(s.overall)},
         {"items", items},
         {"facts", scope_facts(*s.scope)}});
  }
  json events = json::array();
  for (const auto& e : r.facts->events)
    events.push_back({{"at", e.at},
                      {"actor", e.actor},
                      {"action", e.action},
                      {"subject", e.subject},
                      {"severity", e.severity}});
  json targets = {{"rpo_seconds", r.targets.rpo.count()},
                  {"verified_within_seconds", r.targets.verified_within.count()},
                  {"rto_seconds", r.targets.rto ? json(r.targets.rto->count()) : json()}};
  return {{"as_of", format_rfc3339(r.facts->as_of)},
          {"period_start", format_rfc3339(r.facts->period_start)},
          {"overall", to_string(r.overall)},
          {"targets", targets},
          {"scopes", scopes},
          {"events", events}};
}

} // namespace lastgood::compliance
