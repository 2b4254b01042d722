#include "compliance/report_facts.hpp"

#include "catalog/object_records.hpp"
#include "catalog/report_evidence.hpp"
#include "catalog/wal_summary.hpp"
#include "pg/lsn.hpp"

#include <algorithm>
#include <map>
#include <tuple>

namespace lastgood::compliance {

namespace {

using catalog::Database;

// kind, source ("" = the default source), name.
using ScopeKey = std::tuple<std::string, std::string, std::string>;

// Physical backups belong to their cluster; dumps to their database of their
// source (pg_dumpall output, which names none, to one scope of its own).
ScopeKey scope_key(const std::string& kind, const std::optional<std::string>& database,
                   const std::optional<std::string>& system_identifier,
                   const std::optional<std::string>& source)
{
  if (kind == "physical") return {"cluster", "", system_identifier.value_or("unknown")};
  return {"database", source.value_or(""), database.value_or("(pg_dumpall)")};
}

struct PhysicalStart
{
  std::string backup_id;
  TimePoint start{};
  std::uint32_t timeline = 0;
  std::uint64_t lsn = 0;
};

struct Reach
{
  std::uint32_t timeline = 0;
  std::uint64_t segno = 0;
  auto operator<=>(const Reach&) const = default;
};

const catalog::TimelineWal* find_timeline(const catalog::ClusterWal& c, std::uint32_t tli)
{
  for (const auto& t : c.timelines)
    if (t.timeline == tli) return &t;
  return nullptr;
}

// Follows contiguous WAL from a segment, switching to the newest child
// timeline whose branch point it reaches; nullopt when the start is not archived.
std::optional<Reach> reach_from(const catalog::ClusterWal& c, std::uint32_t tli,
                                std::uint64_t segno)
{
  std::optional<Reach> reached;
  for (int hops = 0; hops < 64; ++hops) {
    const auto* t = find_timeline(c, tli);
    if (!t) return reached;
    const catalog::SegmentRange* range = nullptr;
    for (const auto& r : t->ranges)
      if (r.first_segno <= segno && segno <= r.last_segno) range = &r;
    if (!range) return reached;
    reached = Reach{tli, range->last_segno};
    std::optional<std::pair<std::uint32_t, std::uint64_t>> next;
    for (const auto& child : c.timelines) {
      if (child.parent != tli || !child.switch_lsn) continue;
      auto switch_segno = pg::segment_of(pg::Lsn{*child.switch_lsn}, c.segment_size);
      if (switch_segno < segno || switch_segno > range->last_segno + 1) continue;
      if (!next || child.timeline > next->first)
        next = std::make_pair(child.timeline, switch_segno);
    }
    if (!next) return reached;
    tli = next->first;
    segno = next->second;
  }
  return reached;
}

std::optional<TimePoint> segment_archived_at(Database& db, const std::string& sysid, const Reach& r)
{
  auto ns = catalog::segment_archived_at_ns(db, sysid, static_cast<std::int64_t>(r.timeline),
                                            static_cast<std::int64_t>(r.segno));
  if (!ns) return std::nullopt;
  return TimePoint(std::chrono::seconds(*ns / 1'000'000'000));
}

void add_pitr(Database& db, Scope& scope, const std::vector<PhysicalStart>& starts,
              const std::vector<catalog::ClusterWal>& wal)
{
  const catalog::ClusterWal* cluster = nullptr;
  for (const auto& c : wal)
    if (c.system_identifier == scope.name) cluster = &c;
  if (!cluster) return;
  for (const auto& t : cluster->timelines)
    for (const auto& g : t.gaps)
      scope.wal_gaps.push_back(
          {t.timeline, g.first_name, g.last_name, g.last_segno - g.first_segno + 1});
  // The window that reaches furthest, from the oldest backup that reaches it.
  std::optional<Reach> best;
  const PhysicalStart* from = nullptr;
  for (const auto& s : starts) { // oldest first
    auto r =
        reach_from(*cluster, s.timeline, pg::segment_of(pg::Lsn{s.lsn}, cluster->segment_size));
    if (r && (!best || *r > *best)) {
      best = r;
      from = &s;
    }
  }
  if (!best) {
    for (const auto& b : cluster->backups)
      scope.consistent_points += b.complete ? 1 : 0;
    return;
  }
  PitrWindow w;
  w.from_backup = from->backup_id;
  w.from = from->start;
  w.to = std::max(from->start, segment_archived_at(db, scope.name, *best).value_or(from->start));
  w.to_timeline = best->timeline;
  w.to_segment = pg::wal_file_name(best->timeline, best->segno, cluster->segment_size);
  scope.pitr = w;
}

} // namespace

std::string qualified_name(const Scope& scope)
{
  return scope.source ? *scope.source + "/" + scope.name : scope.name;
}

ReportFacts gather_facts(Database& db, TimePoint as_of, TimePoint period_start)
{
  ReportFacts facts;
  facts.as_of = as_of;
  facts.period_start = period_start;
  const auto as_of_text = format_rfc3339(as_of), period_text = format_rfc3339(period_start);
  std::map<ScopeKey, Scope> scopes;
  std::map<ScopeKey, std::vector<PhysicalStart>> starts;
  std::map<ScopeKey, std::vector<std::pair<std::string, double>>> durations;
  auto scope_for = [&](const ScopeKey& key) -> Scope& {
    auto& s = scopes[key];
    s.kind = std::get<0>(key);
    if (!std::get<1>(key).empty()) s.source = std::get<1>(key);
    s.name = std::get<2>(key);
    return s;
  };

  // One statement for every backup's restore durations, not one per backup.
  auto restore_durations = catalog::passing_restore_durations_by_backup(db, as_of_text);
  for (auto& row : catalog::report_backups(db, as_of_text)) {
    BackupFact f;
    f.backup_id = row.backup_id;
    f.kind = row.kind;
    f.status = row.status;
    f.taken = parse_rfc3339(row.taken);
    f.size_bytes = row.size_bytes;
    f.objects_missing = row.objects_missing;
    f.failing_check = row.failing_check;
    f.held = row.held;
    f.last_outcome = row.last_outcome;
    f.last_problem = row.last_problem;
    auto key = scope_key(f.kind, row.database, row.system_identifier, row.source);
    auto& scope = scope_for(key);
    scope.objects_missing += f.objects_missing;
    scope.backups_failing_checks += f.failing_check ? 1 : 0;
    if (!scope.oldest_backup) scope.oldest_backup = f.taken;
    scope.newest_backup = f.taken;
    // Only a backup that is still good and whole proves restores today: a
    // pass followed by a failure, or by a vanished object, proves nothing.
    auto good = row.last_restore_pass;
    if (f.status != "good" || f.objects_missing > 0) good.reset();
    if (good) {
      auto at = parse_rfc3339(*good);
      if (!scope.last_good_test || at >= *scope.last_good_test) {
        scope.last_good_test = at;
        scope.last_good_backup = f.backup_id;
        scope.last_good_identical = row.last_restore_pass_match;
      }
    }
    if (f.kind == "physical" && row.start_lsn && row.timeline && row.start_time)
      starts[key].push_back({f.backup_id, parse_rfc3339(*row.start_time),
                             static_cast<std::uint32_t>(*row.timeline),
                             static_cast<std::uint64_t>(*row.start_lsn)});
    auto& runs = durations[key];
    if (auto found = restore_durations.find(row.row_id); found != restore_durations.end())
      for (auto& run : found->second)
        runs.push_back(std::move(run));
    scope.backups.push_back(std::move(f));
  }

  for (auto& h : catalog::holds_active_at(db, as_of_text))
    scope_for(scope_key(h.kind, h.database, h.system_identifier, h.source))
        .holds.push_back(
            {h.backup_id, h.reason, h.until, h.created_by, h.created_at, h.backup_gone});

  for (const auto& d : catalog::backups_deleted_between(db, period_text, as_of_text)) {
    auto& scope = scope_for(scope_key(d.kind, d.database, d.system_identifier, d.source));
    ++scope.backups_deleted;
    scope.held_backups_deleted += d.held ? 1 : 0;
  }
  for (const auto& [cluster, count] : catalog::wal_deleted_between(db, period_text, as_of_text))
    scope_for({"cluster", "", cluster.value_or("unknown")}).wal_deleted = count;

  const auto wal = catalog::wal_summary(db, std::nullopt);
  for (auto& [key, scope] : scopes) {
    if (scope.kind == "cluster") add_pitr(db, scope, starts[key], wal);
    auto& runs = durations[key];
    std::sort(runs.begin(), runs.end(),
              [](const auto& a, const auto& b) { return a.first > b.first; });
    for (std::size_t i = 0; i < runs.size() && i < kRecentRestores; ++i)
      scope.restore_seconds.push_back(runs[i].second);
    facts.scopes.push_back(std::move(scope));
  }

  facts.objects_with_problems = catalog::count_objects_with_problems(db, as_of_text);
  for (auto& e : catalog::retention_and_hold_events(db, period_text, as_of_text))
    facts.events.push_back({e.at, e.actor, e.action, e.subject, e.severity});
  return facts;
}

} // namespace lastgood::compliance
