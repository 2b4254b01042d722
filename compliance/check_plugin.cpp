#include "compliance/check_plugin.hpp"

#include "compliance/report_render.hpp"

#include <cmath>
#include <sstream>

namespace lastgood::compliance {

namespace {

using std::chrono::seconds;

const char* state_name(PluginState s)
{
  switch (s) {
  case kPluginOk:
    return "OK";
  case kPluginWarning:
    return "WARNING";
  case kPluginCritical:
    return "CRITICAL";
  case kPluginUnknown:
    break;
  }
  return "UNKNOWN";
}

PluginState state_of(Verdict v)
{
  return v == Verdict::Ok ? kPluginOk : v == Verdict::Warn ? kPluginWarning : kPluginCritical;
}

// Plugin text must not contain '|' (it starts the perfdata) nor break lines.
std::string plugin_text(std::string text)
{
  for (auto& c : text)
    if (c == '|')
      c = '/';
    else if (c == '\n' || c == '\r')
      c = ' ';
  return text;
}

std::string secs(seconds s)
{
  return std::to_string(s.count());
}

// The share of a target past which an item warns, as the report judges it.
std::string warn_share(seconds target)
{
  return std::to_string(
      static_cast<long long>(std::floor(kWarnShare * static_cast<double>(target.count()))));
}

std::string scope_perfdata(const ScopeVerdicts& sv, const ReportFacts& facts,
                           const ComplianceConfig& targets)
{
  const auto& s = *sv.scope;
  const auto label = qualified_name(s);
  std::string out;
  const auto* usable = newest_restorable(s);
  out +=
      " " +
      perfdata(label + "_backup_age",
               usable ? secs(std::chrono::duration_cast<seconds>(facts.as_of - usable->taken)) + "s"
                      : "U",
               warn_share(targets.rpo), secs(targets.rpo), "0");
  out += " " +
         perfdata(label + "_restore_test_age",
                  s.last_good_test
                      ? secs(std::chrono::duration_cast<seconds>(facts.as_of - *s.last_good_test)) +
                            "s"
                      : "U",
                  warn_share(targets.verified_within), secs(targets.verified_within), "0");
  std::size_t bad = 0, error = 0;
  for (const auto& b : s.backups) {
    const auto state = evidence_state(b);
    bad += state == BackupState::Bad ? 1 : 0;
    error += state == BackupState::Error ? 1 : 0;
  }
  // Range "0": alert above zero. Any bad backup is FAIL, one that could not be checked WARN.
  out += " " + perfdata(label + "_backups", std::to_string(s.backups.size()), "", "", "0");
  out += " " + perfdata(label + "_bad_backups", std::to_string(bad), "", "0", "0");
  out += " " + perfdata(label + "_error_backups", std::to_string(error), "0", "", "0");
  if (s.kind == "cluster")
    out +=
        " " +
        perfdata(label + "_pitr_window",
                 s.pitr ? secs(std::chrono::duration_cast<seconds>(s.pitr->to - s.pitr->from)) + "s"
                        : "0s",
                 "", "", "0");
  return out;
}

// "shop: backup_age, newest_backup" for the scopes at this verdict.
std::string scopes_at(const Report& r, Verdict v)
{
  std::string out;
  for (const auto& sv : r.scopes) {
    if (sv.overall != v) continue;
    std::string items;
    for (const auto& i : sv.items)
      if (i.verdict == v) items += (items.empty() ? "" : ", ") + i.name;
    out += (out.empty() ? "" : "; ") + qualified_name(*sv.scope) + " (" + items + ")";
  }
  return out;
}

std::string summary(const Report& r)
{
  if (r.scopes.empty()) return "no backups in the catalog";
  std::size_t count[3] = {};
  for (const auto& sv : r.scopes)
    ++count[static_cast<int>(sv.overall)];
  const auto n = std::to_string(r.scopes.size());
  if (r.overall == Verdict::Ok) return n + " scope(s) OK";
  std::string text;
  if (count[2])
    text = std::to_string(count[2]) + " of " + n + " FAIL: " + scopes_at(r, Verdict::Fail);
  if (count[1])
    text += (text.empty() ? "" : "; ") + std::to_string(count[1]) + " of " + n +
            " WARN: " + scopes_at(r, Verdict::Warn);
  return text;
}

} // namespace

std::string perfdata(const std::string& label, const std::string& value, const std::string& warn,
                     const std::string& crit, const std::string& min)
{
  std::string quoted;
  for (char c : label)
    quoted += c == '\''              ? std::string("''")
              : c == '=' || c == '|' ? std::string("_")
                                     : std::string(1, c);
  return "'" + quoted + "'=" + value + ";" + warn + ";" + crit + ";" + min;
}

PluginResult check_plugin_result(const Report& judged)
{
  PluginResult result;
  result.state = state_of(judged.overall);
  std::ostringstream out;
  std::string perf;
  for (const auto& sv : judged.scopes)
    perf += scope_perfdata(sv, *judged.facts, judged.targets);
  out << "LASTGOOD " << state_name(result.state) << " - " << plugin_text(summary(judged))
      << (perf.empty() ? "" : " |" + perf) << '\n';
  for (const auto& sv : judged.scopes)
    for (const auto& i : sv.items)
      if (i.verdict != Verdict::Ok)
        out << to_string(i.verdict) << ' ' << plugin_text(scope_title(*sv.scope)) << ' ' << i.name
            << ": " << plugin_text(i.summary) << '\n';
  result.output = out.str();
  return result;
}

PluginResult check_plugin_unknown(const std::string& reason)
{
  return {kPluginUnknown, "LASTGOOD UNKNOWN - " + plugin_text(reason) + "\n"};
}

} // namespace lastgood::compliance
