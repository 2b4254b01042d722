#include "compliance/metrics.hpp"

#include "catalog/restore_outcomes.hpp"

#include <algorithm>
#include <charconv>
#include <cmath>
#include <limits>
#include <sstream>

namespace lastgood::compliance {

namespace {

using catalog::Database;

std::string number(double v)
{
  if (std::isinf(v)) return v > 0 ? "+Inf" : "-Inf";
  if (std::isnan(v)) return "NaN";
  char buf[64];
  auto [end, ec] = std::to_chars(buf, buf + sizeof buf, v);
  return ec == std::errc() ? std::string(buf, end) : "NaN";
}

class Exposition
{
public:
  void family(std::string_view name, std::string_view type, std::string_view help)
  {
    m_out << "# HELP " << name << ' ' << help << "\n# TYPE " << name << ' ' << type << '\n';
  }
  void sample(std::string_view name, const std::vector<std::pair<std::string, std::string>>& labels,
              double value)
  {
    m_out << name;
    if (!labels.empty()) {
      m_out << '{';
      for (std::size_t i = 0; i < labels.size(); ++i)
        m_out << (i ? "," : "") << labels[i].first << "=\"" << escape_label_value(labels[i].second)
              << '"';
      m_out << '}';
    }
    m_out << ' ' << number(value) << '\n';
  }
  std::string str() const { return m_out.str(); }

private:
  std::ostringstream m_out;
};

void gather_restore_runs(Database& db, RestoreStats& stats)
{
  for (const auto& r : catalog::restore_run_outcomes(db)) {
    if (r.outcome == "running") {
      ++stats.in_progress;
      continue;
    }
    if (r.duration_seconds) stats.durations.push_back(*r.duration_seconds);
    stats.last_size_bytes[r.scope] = r.backup_size_bytes;
    if (r.outcome == "pass")
      ++stats.success;
    else
      ++stats.failures[failure_reason_of_message(r.problem.value_or(""))];
  }
}

void gather_test_restores(Database& db, RestoreStats& stats)
{
  for (const auto& r : catalog::test_restore_outcomes(db)) {
    if (r.outcome == "running") {
      ++stats.in_progress;
      continue;
    }
    ++stats.verifications[r.outcome];
    if (r.duration_seconds) stats.durations.push_back(*r.duration_seconds);
    stats.last_size_bytes[r.scope] = r.backup_size_bytes;
    if (r.outcome == "pass")
      ++stats.success;
    else
      ++stats.failures[failure_reason_of_finding(r.problem.value_or(""))];
  }
}

std::vector<std::pair<std::string, std::string>> scope_labels(const Scope& s)
{
  return {{"kind", s.kind}, {"name", qualified_name(s)}};
}

} // namespace

std::string failure_reason_of_finding(std::string_view kind)
{
  if (kind == "restore_failed" || kind == "toc_unreadable" || kind == "incomplete_dump")
    return "pg_restore";
  if (kind == "check_failed" || kind == "check_error") return "check";
  if (kind == "amcheck") return "amcheck";
  if (kind == "data_shrink") return "data_shrink";
  if (kind == "scratch_error") return "scratch";
  if (kind == "checksum_mismatch" || kind == "size_mismatch" || kind == "missing_object" ||
      kind == "unreadable_object")
    return "storage";
  return "other";
}

std::string failure_reason_of_message(std::string_view m)
{
  auto has = [&](std::string_view word) { return m.find(word) != std::string_view::npos; };
  if (has("exists")) return "target_exists";
  if (has("connect") || has("unreachable")) return "connection";
  if (has("amcheck")) return "amcheck";
  if (has("check")) return "check";
  if (has("pg_restore") || has("psql")) return "pg_restore";
  if (has("storage") || has("missing") || has("checksum")) return "storage";
  return "other";
}

std::string escape_label_value(std::string_view value)
{
  std::string out;
  for (char c : value) {
    if (c == '\\')
      out += "\\\\";
    else if (c == '"')
      out += "\\\"";
    else if (c == '\n')
      out += "\\n";
    else
      out += c;
  }
  return out;
}

RestoreStats gather_restore_stats(Database& db)
{
  RestoreStats stats;
  gather_restore_runs(db, stats);
  gather_test_restores(db, stats);
  return stats;
}

std::string render_metrics(const Report& judged, const RestoreStats& r, const Config& config)
{
  const ReportFacts& facts = *judged.facts;
  Exposition e;
  e.family("restore_duration_seconds", "histogram",
           "Duration of finished restores and test restores.");
  double sum = 0;
  for (double d : r.durations)
    sum += d;
  for (double le : kRestoreBuckets) {
    std::uint64_t n = 0;
    for (double d : r.durations)
      n += d <= le ? 1 : 0;
    e.sample("restore_duration_seconds_bucket", {{"le", number(le)}}, static_cast<double>(n));
  }
  e.sample("restore_duration_seconds_bucket", {{"le", "+Inf"}},
           static_cast<double>(r.durations.size()));
  e.sample("restore_duration_seconds_sum", {}, sum);
  e.sample("restore_duration_seconds_count", {}, static_cast<double>(r.durations.size()));

  e.family("restore_size_bytes", "gauge",
           "Size of the backup restored or test-restored last, per database.");
  for (const auto& [db, size] : r.last_size_bytes)
    e.sample("restore_size_bytes", {{"database", db}}, static_cast<double>(size));
  e.family("restore_success_total", "counter", "Restores and test restores that passed.");
  e.sample("restore_success_total", {}, static_cast<double>(r.success));
  e.family("restore_failure_total", "counter",
           "Restores and test restores that failed or could not be done, by reason.");
  auto failures = r.failures;
  for (const auto& reason : kFailureReasons)
    failures.try_emplace(reason, 0);
  for (const auto& [reason, n] : failures)
    e.sample("restore_failure_total", {{"failure_reason", reason}}, static_cast<double>(n));
  e.family("restore_verification_total", "counter", "Restore-level verification runs by outcome.");
  for (const char* status : {"pass", "fail", "error"}) {
    auto it = r.verifications.find(status);
    e.sample("restore_verification_total", {{"status", status}},
             it == r.verifications.end() ? 0 : static_cast<double>(it->second));
  }
  e.family("restore_in_progress", "gauge", "Restores and test restores running now.");
  e.sample("restore_in_progress", {}, static_cast<double>(r.in_progress));

  e.family("lastgood_rpo_seconds", "gauge",
           "The configured recovery point objective (compliance.rpo).");
  e.sample("lastgood_rpo_seconds", {}, static_cast<double>(config.compliance.rpo.count()));
  e.family("lastgood_verified_within_seconds", "gauge",
           "How recent a passing test restore must be (compliance.verified_within).");
  e.sample("lastgood_verified_within_seconds", {},
           static_cast<double>(config.compliance.verified_within.count()));
  // Families are always declared; their samples only where a target is set.
  e.family("lastgood_rto_seconds", "gauge",
           "The configured recovery time objective (compliance.rto; absent when unset).");
  if (config.compliance.rto)
    e.sample("lastgood_rto_seconds", {}, static_cast<double>(config.compliance.rto->count()));
  e.family("lastgood_schedule_interval_seconds", "gauge",
           "How often the scheduler runs lastgood (schedule.every).");
  e.sample("lastgood_schedule_interval_seconds", {},
           static_cast<double>(config.schedule.every.count()));

  // Times as Unix timestamps (0: never), so ages keep growing between writes.
  auto stamp = [](const std::optional<TimePoint>& t) {
    return t ? static_cast<double>(t->time_since_epoch().count()) : 0.0;
  };
  e.family("lastgood_scopes", "gauge", "Databases and clusters with backups in the catalog.");
  e.sample("lastgood_scopes", {}, static_cast<double>(facts.scopes.size()));
  e.family("lastgood_status", "gauge", "The report's overall verdict: 0 OK, 1 WARN, 2 FAIL.");
  e.sample("lastgood_status", {}, static_cast<double>(judged.overall));
  e.family("lastgood_scope_status", "gauge",
           "The report's verdict per scope: 0 OK, 1 WARN, 2 FAIL.");
  for (const auto& sv : judged.scopes)
    e.sample("lastgood_scope_status", scope_labels(*sv.scope), static_cast<double>(sv.overall));
  e.family("lastgood_check_status", "gauge",
           "The report's verdict per scope and check: 0 OK, 1 WARN, 2 FAIL.");
  for (const auto& sv : judged.scopes)
    for (const auto& item : sv.items) {
      auto labels = scope_labels(*sv.scope);
      labels.emplace_back("check", item.name);
      e.sample("lastgood_check_status", labels, static_cast<double>(item.verdict));
    }
  e.family("lastgood_backups", "gauge", "Backups present.");
  for (const auto& s : facts.scopes)
    e.sample("lastgood_backups", scope_labels(s), static_cast<double>(s.backups.size()));
  e.family("lastgood_backups_by_state", "gauge",
           "Backups present by evidence: good, bad (damage found), error (could not be checked), "
           "unverified.");
  for (const auto& s : facts.scopes) {
    std::map<BackupState, int> count;
    for (const auto& b : s.backups)
      ++count[evidence_state(b)];
    for (auto state :
         {BackupState::Good, BackupState::Bad, BackupState::Error, BackupState::Unverified}) {
      auto labels = scope_labels(s);
      labels.emplace_back("state", to_string(state));
      e.sample("lastgood_backups_by_state", labels, count[state]);
    }
  }
  e.family("lastgood_newest_backup_timestamp_seconds", "gauge",
           "When the newest backup was taken (Unix time; 0: none).");
  for (const auto& s : facts.scopes)
    e.sample("lastgood_newest_backup_timestamp_seconds", scope_labels(s), stamp(s.newest_backup));
  e.family("lastgood_newest_restorable_backup_timestamp_seconds", "gauge",
           "When the newest backup not known bad was taken: what RPO is measured from (Unix "
           "time; 0: none).");
  for (const auto& s : facts.scopes) {
    const auto* usable = newest_restorable(s);
    e.sample("lastgood_newest_restorable_backup_timestamp_seconds", scope_labels(s),
             usable ? stamp(usable->taken) : 0.0);
  }
  e.family("lastgood_last_restore_test_pass_timestamp_seconds", "gauge",
           "When a backup that is still good last passed a test restore (Unix time; 0: never).");
  for (const auto& s : facts.scopes)
    e.sample("lastgood_last_restore_test_pass_timestamp_seconds", scope_labels(s),
             stamp(s.last_good_test));
  e.family("lastgood_restore_duration_max_seconds", "gauge",
           "Longest of the recent passing restores and test restores (only with compliance.rto).");
  for (const auto& s : facts.scopes)
    if (config.compliance.rto && !s.restore_seconds.empty())
      e.sample("lastgood_restore_duration_max_seconds", scope_labels(s),
               *std::max_element(s.restore_seconds.begin(), s.restore_seconds.end()));
  e.family("lastgood_pitr_window_start_timestamp_seconds", "gauge",
           "Start of the point-in-time recovery window (Unix time; 0: no window).");
  e.family("lastgood_pitr_window_end_timestamp_seconds", "gauge",
           "End of the point-in-time recovery window: archive time of the last reachable WAL "
           "segment (Unix time; 0: no window).");
  e.family("lastgood_pitr_window_target_seconds", "gauge",
           "The PITR window retention.pitr_window asks for (only where configured).");
  e.family("lastgood_pitr_window_seconds", "gauge",
           "Width of the point-in-time recovery window (0: none).");
  e.family("lastgood_wal_gaps", "gauge", "Gaps in the archived WAL.");
  for (const auto& s : facts.scopes) {
    if (s.kind != "cluster") continue;
    auto from = s.pitr ? std::optional(s.pitr->from) : std::nullopt;
    auto to = s.pitr ? std::optional(s.pitr->to) : std::nullopt;
    e.sample("lastgood_pitr_window_start_timestamp_seconds", scope_labels(s), stamp(from));
    e.sample("lastgood_pitr_window_end_timestamp_seconds", scope_labels(s), stamp(to));
    if (auto wanted = rules_for(config.retention, s).pitr_window)
      e.sample("lastgood_pitr_window_target_seconds", scope_labels(s),
               static_cast<double>(wanted->count()));
    e.sample("lastgood_pitr_window_seconds", scope_labels(s),
             s.pitr ? static_cast<double>((s.pitr->to - s.pitr->from).count()) : 0);
    e.sample("lastgood_wal_gaps", scope_labels(s), static_cast<double>(s.wal_gaps.size()));
  }
  e.family("lastgood_objects_with_problems", "gauge",
           "Objects in the repositories that the scan could not read or classify.");
  e.sample("lastgood_objects_with_problems", {}, static_cast<double>(facts.objects_with_problems));
  e.family("lastgood_objects_missing", "gauge",
           "Objects of present backups that are missing from storage.");
  for (const auto& s : facts.scopes)
    e.sample("lastgood_objects_missing", scope_labels(s), static_cast<double>(s.objects_missing));

  // Kept for dashboards built on earlier versions; they freeze between writes.
  const auto inf = std::numeric_limits<double>::infinity();
  auto age = [&](const std::optional<TimePoint>& t) {
    return t ? static_cast<double>((facts.as_of - *t).count()) : inf;
  };
  e.family("lastgood_backup_age_seconds", "gauge",
           "Deprecated (frozen between writes): age of the newest backup at the time of writing; "
           "use lastgood_newest_backup_timestamp_seconds.");
  for (const auto& s : facts.scopes)
    e.sample("lastgood_backup_age_seconds", scope_labels(s), age(s.newest_backup));
  e.family("lastgood_last_good_age_seconds", "gauge",
           "Deprecated (frozen between writes): age of the newest passing test restore; use "
           "lastgood_last_restore_test_pass_timestamp_seconds.");
  for (const auto& s : facts.scopes)
    e.sample("lastgood_last_good_age_seconds", scope_labels(s), age(s.last_good_test));

  e.family("lastgood_metrics_generated_timestamp_seconds", "gauge",
           "When these metrics were written (Unix time).");
  e.sample("lastgood_metrics_generated_timestamp_seconds", {},
           static_cast<double>(facts.as_of.time_since_epoch().count()));
  return e.str();
}

} // namespace lastgood::compliance
