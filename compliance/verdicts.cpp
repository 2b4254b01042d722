#include "compliance/verdicts.hpp"

#include <algorithm>
#include <cstdio>

namespace lastgood::compliance {

namespace {

using std::chrono::seconds;

std::string seconds_text(double s)
{
  char buf[32];
  std::snprintf(buf, sizeof buf, s < 10 ? "%.1f s" : "%.0f s", s);
  return buf;
}

std::string age_text(seconds d)
{
  return format_duration(std::max(d, seconds(0)));
}

// Age against a target: FAIL past it, WARN past kWarnShare of it.
Verdict against(seconds age, seconds target)
{
  if (age > target) return Verdict::Fail;
  if (static_cast<double>(age.count()) > kWarnShare * static_cast<double>(target.count()))
    return Verdict::Warn;
  return Verdict::Ok;
}

std::string problem_of(const BackupFact& b)
{
  return b.last_problem ? ": " + *b.last_problem : "";
}

// RPO is measured from the newest backup not known bad: a newer backup that
// failed its test restore, or lost an object, would not restore anything.
Item backup_age(const Scope& s, const ReportFacts& f, seconds rpo)
{
  if (s.backups.empty())
    return {"backup_age", Verdict::Fail, "no backup at all (RPO " + age_text(rpo) + ")"};
  const auto* usable = newest_restorable(s);
  if (!usable)
    return {"backup_age", Verdict::Fail,
            "no backup that is not known bad: all " + std::to_string(s.backups.size()) +
                " failed a check or lost objects (RPO " + age_text(rpo) + ")"};
  auto age = f.as_of - usable->taken;
  std::string text = "newest backup not known bad " + usable->backup_id + " taken " +
                     format_rfc3339(usable->taken) + ", " + age_text(age) + " old (RPO " +
                     age_text(rpo) + ")";
  if (auto skipped = &s.backups.back() - usable)
    text += "; " + std::to_string(skipped) + " newer backup(s) known bad";
  return {"backup_age", against(age, rpo), text};
}

// The newest backup's own evidence: a failed newest backup is never OK, one
// that could not be checked is shown as such.
Item newest_backup(const Scope& s)
{
  if (s.backups.empty()) return {"newest_backup", Verdict::Fail, "no backup at all"};
  const auto& b = s.backups.back();
  std::string id = b.backup_id + " (" + format_rfc3339(b.taken) + ")";
  switch (evidence_state(b)) {
  case BackupState::Bad:
    if (b.objects_missing)
      return {"newest_backup", Verdict::Fail,
              id + " has " + std::to_string(b.objects_missing) + " object(s) missing from storage"};
    return {"newest_backup", Verdict::Fail, id + " is bad" + problem_of(b)};
  case BackupState::Error:
    return {"newest_backup", Verdict::Warn,
            id + " could not be checked" + problem_of(b) + " (fix it and run lastgood verify " +
                b.backup_id + ")"};
  case BackupState::Good:
    return {"newest_backup", Verdict::Ok, id + " passed its test restore"};
  case BackupState::Unverified:
    break;
  }
  return {"newest_backup", Verdict::Ok, id + " not test-restored yet"};
}

// Every present backup by its evidence: any bad one is damage to act on
// (investigate, then delete it); one that could not be checked warns.
Item verification(const Scope& s)
{
  std::size_t count[4] = {};
  std::vector<std::string> bad, error;
  for (const auto& b : s.backups) {
    auto state = evidence_state(b);
    ++count[static_cast<int>(state)];
    if (state == BackupState::Bad) bad.push_back(b.backup_id);
    if (state == BackupState::Error) error.push_back(b.backup_id);
  }
  auto list = [](const std::vector<std::string>& ids) {
    std::string out;
    for (std::size_t i = 0; i < ids.size() && i < 3; ++i)
      out += (i ? ", " : " (") + ids[i];
    return ids.empty() ? out : out + (ids.size() > 3 ? ", ...)" : ")");
  };
  std::string text = std::to_string(count[0]) + " good, " + std::to_string(count[1]) + " bad" +
                     list(bad) + ", " + std::to_string(count[2]) + " could not be checked" +
                     list(error) + ", " + std::to_string(count[3]) + " unverified";
  Verdict v = !bad.empty() ? Verdict::Fail : !error.empty() ? Verdict::Warn : Verdict::Ok;
  return {"verification", v, text};
}

Item restore_tested(const Scope& s, const ReportFacts& f, seconds within)
{
  if (!s.last_good_test)
    return {"restore_tested", Verdict::Fail,
            "no backup has ever passed a test restore (required within " + age_text(within) + ")"};
  auto age = f.as_of - *s.last_good_test;
  return {"restore_tested", against(age, within),
          "last passing test restore " + format_rfc3339(*s.last_good_test) + " (" +
              *s.last_good_backup + "), " + age_text(age) + " ago (required within " +
              age_text(within) + ")" +
              (s.last_good_identical ? "; " + catalog::describe(*s.last_good_identical) : "")};
}

std::optional<Item> restore_duration(const Scope& s, const std::optional<seconds>& rto)
{
  if (!rto) return std::nullopt;
  auto target = static_cast<double>(rto->count());
  if (s.restore_seconds.empty())
    return Item{"restore_duration", Verdict::Warn,
                "no measured restore yet (RTO " + age_text(*rto) + ")"};
  double max = *std::max_element(s.restore_seconds.begin(), s.restore_seconds.end());
  Verdict v = max > target                ? Verdict::Fail
              : max > kWarnShare * target ? Verdict::Warn
                                          : Verdict::Ok;
  return Item{"restore_duration", v,
              "median " + seconds_text(median(s.restore_seconds)) + ", max " + seconds_text(max) +
                  " over " + std::to_string(s.restore_seconds.size()) + " recent restores (RTO " +
                  age_text(*rto) + ")"};
}

Item pitr_window(const Scope& s, const std::optional<seconds>& wanted)
{
  std::string gaps = s.wal_gaps.empty()
                         ? ""
                         : ", " + std::to_string(s.wal_gaps.size()) + " WAL gap(s) in the archive";
  if (!s.pitr && s.consistent_points)
    return {"pitr_window", wanted ? Verdict::Fail : Verdict::Warn,
            "none: no WAL archive; " + std::to_string(s.consistent_points) +
                " base backup(s) carry their own WAL and restore to their consistency point "
                "only" +
                gaps + (wanted ? "; retention.pitr_window wants " + age_text(*wanted) : "")};
  if (!s.pitr)
    return {"pitr_window", Verdict::Fail, "none: no base backup has its WAL archived" + gaps};
  auto width = s.pitr->to - s.pitr->from;
  std::string text = format_rfc3339(s.pitr->from) + " .. " + format_rfc3339(s.pitr->to) + " (" +
                     age_text(width) + ", from " + s.pitr->from_backup + " to " +
                     s.pitr->to_segment + ")" + gaps;
  Verdict v = s.wal_gaps.empty() ? Verdict::Ok : Verdict::Warn;
  if (wanted && width < *wanted) {
    v = Verdict::Warn;
    text += "; retention.pitr_window wants " + age_text(*wanted);
  }
  return {"pitr_window", v, text};
}

Item retention(const Scope& s, const ReportFacts& f, const RetentionRules& r)
{
  std::string text = std::to_string(s.backups.size()) + " backups";
  if (s.oldest_backup)
    text += ", oldest " + format_rfc3339(*s.oldest_backup) + " (" +
            age_text(f.as_of - *s.oldest_backup) + " old)";
  Verdict v = Verdict::Ok;
  if (r.keep_last) {
    text += "; keep_last " + std::to_string(*r.keep_last);
    if (static_cast<int>(s.backups.size()) < *r.keep_last) v = Verdict::Warn;
  }
  if (r.keep_within) text += "; keep_within " + age_text(*r.keep_within);
  if (!r.keep_last && !r.keep_within && !r.keep_daily && !r.keep_weekly && !r.keep_monthly &&
      !r.keep_yearly)
    text += "; no retention policy configured";
  return {"retention", v, text};
}

Item objects(const Scope& s)
{
  Verdict v = s.objects_missing || s.backups_failing_checks ? Verdict::Fail : Verdict::Ok;
  return {"objects", v,
          std::to_string(s.objects_missing) + " objects missing, " +
              std::to_string(s.backups_failing_checks) +
              " backups failing checksum/structure checks"};
}

Item holds(const Scope& s)
{
  std::size_t gone = 0;
  for (const auto& h : s.holds)
    gone += h.backup_gone ? 1 : 0;
  std::string text = std::to_string(s.holds.size()) + " active legal holds";
  if (gone) text += ", " + std::to_string(gone) + " on backups that are missing or deleted";
  return {"holds", gone ? Verdict::Fail : Verdict::Ok, text};
}

Item deletions(const Scope& s)
{
  std::string text = std::to_string(s.backups_deleted) + " backups deleted in the period";
  if (s.kind == "cluster") text += ", " + std::to_string(s.wal_deleted) + " WAL segments";
  if (s.held_backups_deleted)
    text += "; " + std::to_string(s.held_backups_deleted) + " of them under an active hold";
  return {"deletions", s.held_backups_deleted ? Verdict::Fail : Verdict::Ok, text};
}

} // namespace

std::string to_string(BackupState s)
{
  switch (s) {
  case BackupState::Good:
    return "good";
  case BackupState::Bad:
    return "bad";
  case BackupState::Error:
    return "error";
  case BackupState::Unverified:
    break;
  }
  return "unverified";
}

BackupState evidence_state(const BackupFact& b)
{
  if (b.status == "bad" || b.objects_missing > 0) return BackupState::Bad;
  if (b.last_outcome == "error") return BackupState::Error;
  return b.status == "good" ? BackupState::Good : BackupState::Unverified;
}

const BackupFact* newest_restorable(const Scope& s)
{
  for (auto it = s.backups.rbegin(); it != s.backups.rend(); ++it)
    if (evidence_state(*it) != BackupState::Bad) return &*it;
  return nullptr;
}

std::string to_string(Verdict v)
{
  return v == Verdict::Ok ? "OK" : v == Verdict::Warn ? "WARN" : "FAIL";
}

double median(std::vector<double> values)
{
  if (values.empty()) return 0;
  std::sort(values.begin(), values.end());
  auto n = values.size();
  return n % 2 ? values[n / 2] : (values[n / 2 - 1] + values[n / 2]) / 2;
}

RetentionRules rules_for(const RetentionConfig& retention, const Scope& scope)
{
  RetentionRules r = retention.defaults;
  const auto& narrower = scope.kind == "cluster" ? retention.per_cluster : retention.per_database;
  auto it = narrower.find(scope.name);
  if (it == narrower.end()) return r;
  const auto& n = it->second;
  if (n.keep_last) r.keep_last = n.keep_last;
  if (n.keep_within) r.keep_within = n.keep_within;
  if (n.keep_daily) r.keep_daily = n.keep_daily;
  if (n.keep_weekly) r.keep_weekly = n.keep_weekly;
  if (n.keep_monthly) r.keep_monthly = n.keep_monthly;
  if (n.keep_yearly) r.keep_yearly = n.keep_yearly;
  if (n.pitr_window) r.pitr_window = n.pitr_window;
  return r;
}

Report judge(const ReportFacts& facts, const Config& config)
{
  Report report;
  report.facts = &facts;
  report.targets = config.compliance;
  // Nothing cataloged is nothing to restore: not compliant.
  if (facts.scopes.empty()) report.overall = Verdict::Fail;
  for (const auto& s : facts.scopes) {
    ScopeVerdicts sv;
    sv.scope = &s;
    auto rules = rules_for(config.retention, s);
    sv.items.push_back(backup_age(s, facts, config.compliance.rpo));
    sv.items.push_back(newest_backup(s));
    sv.items.push_back(restore_tested(s, facts, config.compliance.verified_within));
    sv.items.push_back(verification(s));
    if (auto d = restore_duration(s, config.compliance.rto)) sv.items.push_back(*d);
    if (s.kind == "cluster") sv.items.push_back(pitr_window(s, rules.pitr_window));
    sv.items.push_back(retention(s, facts, rules));
    sv.items.push_back(objects(s));
    sv.items.push_back(holds(s));
    sv.items.push_back(deletions(s));
    for (const auto& i : sv.items)
      sv.overall = std::max(sv.overall, i.verdict);
    report.overall = std::max(report.overall, sv.overall);
    report.scopes.push_back(std::move(sv));
  }
  return report;
}

} // namespace lastgood::compliance
