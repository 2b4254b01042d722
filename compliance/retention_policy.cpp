#include "compliance/retention_policy.hpp"

#include "compliance/gfs.hpp"

#include <algorithm>
#include <map>

namespace lastgood::compliance {

namespace {

std::string scope_of(const BackupFacts& b)
{
  if (b.kind == "physical") return "cluster " + b.system_identifier.value_or("(unknown)");
  // Dumps of a named source are their own group: shop of two servers never merges.
  return "database " + (b.source ? *b.source + "/" : "") +
         b.database.value_or("(whole cluster dump)");
}

template <typename T> void override_key(std::optional<T>& into, const std::optional<T>& from)
{
  if (from) into = from;
}

// The rules kept by a group's rules themselves (not the protections).
void apply_rules(const std::vector<BackupFacts>& backups,
                 const std::vector<std::size_t>& newest_first, const RetentionRules& rules,
                 TimePoint now, std::vector<BackupDecision>& out)
{
  auto keep = [&](std::size_t i, std::string reason) {
    out[i].keep = true;
    out[i].reasons.push_back(std::move(reason));
  };
  if (rules.keep_last)
    for (std::size_t n = 0;
         n < newest_first.size() && n < static_cast<std::size_t>(*rules.keep_last); ++n)
      keep(newest_first[n], "keep_last " + std::to_string(*rules.keep_last) + ": #" +
                                std::to_string(n + 1) + " newest");
  if (rules.keep_within)
    for (auto i : newest_first)
      if (*backups[i].time >= now - *rules.keep_within)
        keep(i, "keep_within " + format_duration(*rules.keep_within));
  std::vector<TimePoint> times;
  for (auto i : newest_first)
    times.push_back(*backups[i].time);
  const std::pair<GfsPeriod, std::optional<int>> gfs[] = {{GfsPeriod::Daily, rules.keep_daily},
                                                          {GfsPeriod::Weekly, rules.keep_weekly},
                                                          {GfsPeriod::Monthly, rules.keep_monthly},
                                                          {GfsPeriod::Yearly, rules.keep_yearly}};
  for (const auto& [period, count] : gfs) {
    if (!count) continue;
    auto picked = select_gfs(times, period, *count);
    for (std::size_t n = 0; n < picked.size(); ++n)
      if (picked[n])
        keep(newest_first[n], "keep_" + std::string(to_string(period)) + " " +
                                  std::to_string(*count) + ": newest of " + *picked[n]);
  }
  if (rules.pitr_window && !newest_first.empty() && backups[newest_first[0]].kind == "physical") {
    const auto window = format_duration(*rules.pitr_window);
    const auto start = now - *rules.pitr_window;
    for (auto i : newest_first) {
      if (*backups[i].time >= start) {
        keep(i, "pitr_window " + window + ": taken within the window");
        continue;
      }
      // The newest base backup before the window is where recovery to its
      // first moment starts; a bad one cannot, so the next older one too.
      keep(i, "pitr_window " + window + ": base backup to reach " + format_rfc3339(start));
      if (backups[i].status != "bad") break;
    }
  }
}

} // namespace

RetentionRules effective_rules(const RetentionConfig& config, const BackupFacts& backup)
{
  RetentionRules rules = config.defaults;
  const RetentionRules* narrow = nullptr;
  if (backup.kind == "physical" && backup.system_identifier) {
    auto it = config.per_cluster.find(*backup.system_identifier);
    if (it != config.per_cluster.end()) narrow = &it->second;
  } else if (backup.kind == "logical" && backup.database) {
    auto it = config.per_database.find(*backup.database);
    if (it != config.per_database.end()) narrow = &it->second;
  }
  if (narrow) {
    override_key(rules.keep_last, narrow->keep_last);
    override_key(rules.keep_within, narrow->keep_within);
    override_key(rules.keep_daily, narrow->keep_daily);
    override_key(rules.keep_weekly, narrow->keep_weekly);
    override_key(rules.keep_monthly, narrow->keep_monthly);
    override_key(rules.keep_yearly, narrow->keep_yearly);
    override_key(rules.pitr_window, narrow->pitr_window);
  }
  return rules;
}

bool any_rule(const RetentionRules& r)
{
  return r.keep_last || r.keep_within || r.keep_daily || r.keep_weekly || r.keep_monthly ||
         r.keep_yearly || r.pitr_window;
}

std::string describe_rules(const RetentionRules& r)
{
  std::string out;
  auto add = [&](const std::string& s) { out += (out.empty() ? "" : ", ") + s; };
  if (r.keep_last) add("keep_last " + std::to_string(*r.keep_last));
  if (r.keep_within) add("keep_within " + format_duration(*r.keep_within));
  if (r.keep_daily) add("keep_daily " + std::to_string(*r.keep_daily));
  if (r.keep_weekly) add("keep_weekly " + std::to_string(*r.keep_weekly));
  if (r.keep_monthly) add("keep_monthly " + std::to_string(*r.keep_monthly));
  if (r.keep_yearly) add("keep_yearly " + std::to_string(*r.keep_yearly));
  if (r.pitr_window) add("pitr_window " + format_duration(*r.pitr_window));
  return out.empty() ? "no rule" : out;
}

std::vector<BackupDecision> decide_backups(const std::vector<BackupFacts>& backups,
                                           const RetentionConfig& config, TimePoint now)
{
  std::vector<BackupDecision> out(backups.size());
  std::map<std::string, std::vector<std::size_t>> groups;
  for (std::size_t i = 0; i < backups.size(); ++i) {
    const auto& b = backups[i];
    out[i].group = b.repository + ": " + scope_of(b);
    out[i].keep = false;
    if (b.last_good) out[i].reasons.push_back("last known good backup of " + scope_of(b));
    for (const auto& h : b.holds)
      if (h.active_at(now))
        out[i].reasons.push_back(
            "legal hold #" + std::to_string(h.id) + " " +
            (h.until ? "until " + format_rfc3339(*h.until) : std::string("(indefinite)")) + ": " +
            h.reason);
    for (const auto& l : b.locks)
      if (l.until > now)
        out[i].reasons.push_back("storage lock until " + format_rfc3339(l.until) + " on " + l.key);
    if (b.missing_since)
      out[i].reasons.push_back("missing from storage since " + *b.missing_since +
                               ": nothing to delete");
    if (!b.repository_active)
      out[i].reasons.push_back("repository " + b.repository + " is no longer registered");
    if (!b.time) out[i].reasons.push_back("its time is unknown, so no rule can place it");
    if (!out[i].reasons.empty()) out[i].keep = true;
    // Missing backups, those without a time and those in removed repositories
    // do not take a place that a restorable backup could fill.
    if (!b.missing_since && b.repository_active && b.time) groups[out[i].group].push_back(i);
  }
  for (auto& [group, members] : groups) {
    std::sort(members.begin(), members.end(), [&](std::size_t a, std::size_t b) {
      if (*backups[a].time != *backups[b].time) return *backups[a].time > *backups[b].time;
      return backups[a].row_id > backups[b].row_id;
    });
    auto rules = effective_rules(config, backups[members.front()]);
    // A dump cannot be replayed to a point in time: pitr_window is no rule for
    // logical backups (and alone must not turn their group into "delete all").
    if (backups[members.front()].kind != "physical") rules.pitr_window.reset();
    if (!any_rule(rules)) {
      for (auto i : members) {
        out[i].keep = true;
        out[i].reasons.push_back("no retention rule is configured for " + scope_of(backups[i]));
      }
      continue;
    }
    apply_rules(backups, members, rules, now, out);
    for (auto i : members)
      if (!out[i].keep)
        out[i].reasons.push_back("not kept by any rule (" + describe_rules(rules) + ")");
  }
  return out;
}

} // namespace lastgood::compliance
