#include "compliance/status.hpp"

#include "catalog/repositories.hpp"
#include "common/error.hpp"
#include "compliance/report_render.hpp"

#include <algorithm>
#include <set>
#include <sstream>

namespace lastgood::compliance {

namespace {

using nlohmann::json;
using std::chrono::seconds;

BackupLine line_of(const BackupFact& b)
{
  return {b.backup_id, b.taken, evidence_state(b)};
}

std::string age(TimePoint as_of, TimePoint t)
{
  return format_duration(std::max(seconds(0), std::chrono::duration_cast<seconds>(as_of - t)));
}

ScopeStatus scope_status(const ScopeVerdicts& sv)
{
  ScopeStatus st;
  st.scope = sv.scope;
  st.verdict = sv.overall;
  if (!sv.scope->backups.empty()) st.newest = line_of(sv.scope->backups.back());
  if (const auto* usable = newest_restorable(*sv.scope)) st.restorable = line_of(*usable);
  for (const auto& item : sv.items)
    if (item.verdict != Verdict::Ok) st.problems.push_back(item);
  return st;
}

bool of_source(const Scope& scope, const std::optional<std::string>& source)
{
  return scope.kind == "database" && scope.source == source;
}

std::string sources_with_scopes(const Report& judged)
{
  std::set<std::string> names;
  for (const auto& sv : judged.scopes)
    if (sv.scope->kind == "database") names.insert(catalog::source_label(sv.scope->source));
  std::string out;
  for (const auto& n : names)
    out += (out.empty() ? "" : ", ") + n;
  return out.empty() ? "none" : out;
}

std::string backup_text(const std::optional<BackupLine>& b, TimePoint as_of)
{
  if (!b) return "none";
  return b->backup_id + "  " + format_rfc3339(b->taken) + " (" + age(as_of, b->taken) + " old, " +
         to_string(b->state) + ")";
}

void field(std::ostringstream& out, const std::string& label, const std::string& value)
{
  out << "  " << label << std::string(label.size() < 20 ? 20 - label.size() : 1, ' ') << value
      << '\n';
}

std::string pitr_text(const Scope& s)
{
  if (s.pitr)
    return format_rfc3339(s.pitr->from) + " .. " + format_rfc3339(s.pitr->to) + " (" +
           format_duration(std::chrono::duration_cast<seconds>(s.pitr->to - s.pitr->from)) + ")" +
           (s.wal_gaps.empty() ? "" : ", " + std::to_string(s.wal_gaps.size()) + " WAL gap(s)");
  if (s.consistent_points)
    return "none: " + std::to_string(s.consistent_points) +
           " base backup(s) restorable to their consistency point only";
  return "none";
}

json backup_json(const std::optional<BackupLine>& b, TimePoint as_of)
{
  if (!b) return nullptr;
  return {{"backup_id", b->backup_id},
          {"taken", format_rfc3339(b->taken)},
          {"age_seconds", std::chrono::duration_cast<seconds>(as_of - b->taken).count()},
          {"state", to_string(b->state)}};
}

} // namespace

Status summarize(const Report& judged, const std::optional<std::string>& source)
{
  Status status;
  status.as_of = judged.facts->as_of;
  status.overall = judged.overall;
  const auto wanted = source ? catalog::parse_source_name(*source, "--source") : std::nullopt;
  for (const auto& sv : judged.scopes)
    if (!source || of_source(*sv.scope, wanted)) status.scopes.push_back(scope_status(sv));
  if (!source) return status;
  if (status.scopes.empty())
    throw UsageError("no database of source '" + *source +
                     "' in the catalog (sources with backups: " + sources_with_scopes(judged) +
                     "); run lastgood status without --source to see every scope");
  status.overall = Verdict::Ok;
  for (const auto& st : status.scopes)
    status.overall = std::max(status.overall, st.verdict);
  return status;
}

std::string render_status_text(const Status& status)
{
  std::ostringstream out;
  out << "lastgood status as of " << format_rfc3339(status.as_of) << ": "
      << to_string(status.overall) << '\n';
  if (status.scopes.empty())
    out << "\nno backups in the catalog: register a repository (lastgood repo add) and run "
           "lastgood scan\n";
  for (const auto& st : status.scopes) {
    const auto& s = *st.scope;
    out << '\n' << scope_title(s) << ": " << to_string(st.verdict) << '\n';
    field(out, "newest backup", backup_text(st.newest, status.as_of));
    field(out, "newest restorable", backup_text(st.restorable, status.as_of));
    field(out, "last test restore",
          s.last_good_test
              ? format_rfc3339(*s.last_good_test) + " (" + age(status.as_of, *s.last_good_test) +
                    " ago, " + s.last_good_backup.value_or("?") + ")" +
                    (s.last_good_identical ? ", " + catalog::describe(*s.last_good_identical) : "")
              : "never passed");
    if (s.kind == "cluster") field(out, "PITR window", pitr_text(s));
    if (st.problems.empty()) field(out, "problems", "none");
    for (std::size_t i = 0; i < st.problems.size(); ++i) {
      const auto& p = st.problems[i];
      field(out, i ? "" : "problems", to_string(p.verdict) + " " + p.name + ": " + p.summary);
    }
  }
  return out.str();
}

json render_status_json(const Status& status)
{
  json scopes = json::array();
  for (const auto& st : status.scopes) {
    const auto& s = *st.scope;
    json problems = json::array();
    for (const auto& p : st.problems)
      problems.push_back(
          {{"item", p.name}, {"verdict", to_string(p.verdict)}, {"summary", p.summary}});
    json last_test = nullptr;
    if (s.last_good_test)
      last_test = {{"at", format_rfc3339(*s.last_good_test)},
                   {"age_seconds",
                    std::chrono::duration_cast<seconds>(status.as_of - *s.last_good_test).count()},
                   {"backup_id", s.last_good_backup ? json(*s.last_good_backup) : json()},
                   {"identical_to_source",
                    s.last_good_identical ? catalog::to_json(*s.last_good_identical) : json()}};
    json pitr = nullptr; // databases have none
    if (s.kind == "cluster")
      pitr = {{"from", s.pitr ? json(format_rfc3339(s.pitr->from)) : json()},
              {"to", s.pitr ? json(format_rfc3339(s.pitr->to)) : json()},
              {"seconds",
               s.pitr ? std::chrono::duration_cast<seconds>(s.pitr->to - s.pitr->from).count() : 0},
              {"wal_gaps", s.wal_gaps.size()},
              {"consistent_points", s.consistent_points}};
    scopes.push_back({{"kind", s.kind},
                      {"name", s.name},
                      {"source", s.source ? json(*s.source) : json()}, // null: the default source
                      {"verdict", to_string(st.verdict)},
                      {"newest_backup", backup_json(st.newest, status.as_of)},
                      {"newest_restorable_backup", backup_json(st.restorable, status.as_of)},
                      {"last_test_restore", last_test},
                      {"pitr_window", pitr},
                      {"problems", problems}});
  }
  return {{"as_of", format_rfc3339(status.as_of)},
          {"overall", to_string(status.overall)},
          {"scopes", scopes}};
}

} // namespace lastgood::compliance
