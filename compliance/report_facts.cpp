#include "compliance/report_facts.hpp"

#include "catalog/object_records.hpp"
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
  auto s = db.prepare(
      "SELECT o.mtime_ns FROM wal_segments ws JOIN objects o ON o.id = ws.object_id"
      " JOIN clusters c ON c.id = ws.cluster_id WHERE c.system_identifier = ? AND ws.timeline = ?"
      " AND ws.segno = ? AND ws.partial = 0 AND o.missing_since IS NULL AND o.mtime_ns IS NOT NULL"
      " ORDER BY o.mtime_ns DESC LIMIT 1");
  s.bind_all(sysid, static_cast<std::int64_t>(r.timeline), static_cast<std::int64_t>(r.segno));
  if (!s.step()) return std::nullopt;
  return TimePoint(std::chrono::seconds(s.int64(0) / 1'000'000'000));
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

// Durations of passing restores (restore command) and test restores (verify) of one backup.
void collect_restore_durations(Database& db, std::int64_t backup_row_id, const std::string& as_of,
                               std::vector<std::pair<std::string, double>>& out)
{
  auto s = db.prepare("SELECT finished_at, duration_seconds FROM verification_runs WHERE backup_id "
                      "= ?1 AND level = 'restore'"
                      " AND outcome = 'pass' AND duration_seconds IS NOT NULL AND finished_at <= ?2"
                      " UNION ALL SELECT finished_at, duration_seconds FROM restore_runs WHERE "
                      "backup_id = ?1 AND outcome = 'pass'"
                      " AND duration_seconds IS NOT NULL AND finished_at <= ?2");
  s.bind_all(backup_row_id, as_of);
  while (s.step())
    out.emplace_back(s.text(0), s.real(1));
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

  auto b = db.prepare(
      "SELECT v.id, v.backup_id, v.kind, v.status, coalesce(v.stop_time, v.start_time), "
      "v.size_bytes,"
      " v.objects_missing, v.database, v.system_identifier, v.start_lsn, v.timeline, v.start_time,"
      " (SELECT s.failed_check_after FROM v_backup_status s WHERE s.id = v.id),"
      " (SELECT max(r.finished_at) FROM verification_runs r WHERE r.backup_id = v.id AND r.level "
      "IN ('restore', 'pitr')"
      "   AND r.outcome = 'pass' AND r.finished_at <= ?1),"
      " EXISTS (SELECT 1 FROM holds h WHERE h.backup_id = v.id AND h.created_at <= ?1"
      "   AND (h.released_at IS NULL OR h.released_at > ?1) AND (h.until IS NULL OR h.until > ?1)),"
      " (SELECT r.outcome FROM verification_runs r WHERE r.backup_id = v.id"
      "   AND r.outcome IN ('pass', 'fail', 'error') AND r.finished_at <= ?1 ORDER BY r.id DESC"
      "   LIMIT 1),"
      " (SELECT f.message FROM verification_runs r JOIN verification_findings f ON f.run_id = r.id"
      "   WHERE r.backup_id = v.id AND r.outcome IN ('fail', 'error') AND r.finished_at <= ?1"
      "   AND f.severity IN ('failure', 'error')"
      "   ORDER BY r.id DESC, f.severity = 'failure' DESC, f.id LIMIT 1),"
      " v.source FROM v_backups v WHERE coalesce(v.stop_time, v.start_time) <= ?1"
      " AND (v.deleted_at IS NULL OR v.deleted_at > ?1) ORDER BY 5, v.id");
  b.bind(1, as_of_text);
  while (b.step()) {
    BackupFact f;
    f.backup_id = b.text(1);
    f.kind = b.text(2);
    f.status = b.text(3);
    f.taken = parse_rfc3339(b.text(4));
    f.size_bytes = static_cast<std::uint64_t>(b.int64(5));
    f.objects_missing = b.int64(6);
    f.failing_check = !b.is_null(12);
    f.held = b.int64(14) != 0;
    f.last_outcome = b.opt_text(15);
    f.last_problem = b.opt_text(16);
    auto key = scope_key(f.kind, b.opt_text(7), b.opt_text(8), b.opt_text(17));
    auto& scope = scope_for(key);
    scope.objects_missing += f.objects_missing;
    scope.backups_failing_checks += f.failing_check ? 1 : 0;
    if (!scope.oldest_backup) scope.oldest_backup = f.taken;
    scope.newest_backup = f.taken;
    // Only a backup that is still good and whole proves restores today: a
    // pass followed by a failure, or by a vanished object, proves nothing.
    auto good = b.opt_text(13);
    if (f.status != "good" || f.objects_missing > 0) good.reset();
    if (good) {
      auto at = parse_rfc3339(*good);
      if (!scope.last_good_test || at >= *scope.last_good_test) {
        scope.last_good_test = at;
        scope.last_good_backup = f.backup_id;
      }
    }
    if (f.kind == "physical" && !b.is_null(9) && !b.is_null(10) && b.opt_text(11))
      starts[key].push_back({f.backup_id, parse_rfc3339(b.text(11)),
                             static_cast<std::uint32_t>(b.int64(10)),
                             static_cast<std::uint64_t>(b.int64(9))});
    collect_restore_durations(db, b.int64(0), as_of_text, durations[key]);
    scope.backups.push_back(std::move(f));
  }

  auto h = db.prepare("SELECT v.backup_id, h.reason, h.until, h.created_by, h.created_at, v.kind, "
                      "v.database, v.system_identifier,"
                      " v.deleted_at IS NOT NULL OR v.missing_since IS NOT NULL, v.source"
                      " FROM holds h JOIN v_backups v ON v.id = h.backup_id"
                      " WHERE h.created_at <= ?1 AND (h.released_at IS NULL OR h.released_at > ?1) "
                      "AND (h.until IS NULL OR h.until > ?1)"
                      " ORDER BY h.created_at, h.id");
  h.bind(1, as_of_text);
  while (h.step())
    scope_for(scope_key(h.text(5), h.opt_text(6), h.opt_text(7), h.opt_text(9)))
        .holds.push_back(
            {h.text(0), h.text(1), h.opt_text(2), h.text(3), h.text(4), h.int64(8) != 0});

  auto d = db.prepare("SELECT v.kind, v.database, v.system_identifier, EXISTS (SELECT 1 FROM holds "
                      "h WHERE h.backup_id = v.id"
                      "   AND h.created_at <= v.deleted_at AND (h.released_at IS NULL OR "
                      "h.released_at > v.deleted_at)"
                      "   AND (h.until IS NULL OR h.until > v.deleted_at)), v.source"
                      " FROM v_backups v WHERE v.deleted_at > ?1 AND v.deleted_at <= ?2");
  d.bind_all(period_text, as_of_text);
  while (d.step()) {
    auto& scope = scope_for(scope_key(d.text(0), d.opt_text(1), d.opt_text(2), d.opt_text(4)));
    ++scope.backups_deleted;
    scope.held_backups_deleted += d.int64(3);
  }
  auto w = db.prepare(
      "SELECT c.system_identifier, count(*) FROM wal_segments ws JOIN objects o ON o.id = "
      "ws.object_id"
      " LEFT JOIN clusters c ON c.id = ws.cluster_id WHERE o.deleted_at > ?1 AND o.deleted_at <= ?2"
      " GROUP BY 1");
  w.bind_all(period_text, as_of_text);
  while (w.step())
    scope_for({"cluster", "", w.opt_text(0).value_or("unknown")}).wal_deleted = w.int64(1);

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
  auto a = db.prepare(
      "SELECT at, actor, action, coalesce(subject, ''), severity FROM audit_log"
      " WHERE (action LIKE 'retention.%' OR action LIKE 'hold.%') AND at > ?1 AND at <= ?2"
      " ORDER BY at, id");
  a.bind_all(period_text, as_of_text);
  while (a.step())
    facts.events.push_back({a.text(0), a.text(1), a.text(2), a.text(3), a.text(4)});
  return facts;
}

} // namespace lastgood::compliance
