#include "catalog/wal_summary.hpp"

#include "catalog/backup_own_wal.hpp"
#include "catalog/fleet_wal_facts.hpp"
#include "catalog/usable_segments.hpp"
#include "pg/lsn.hpp"

#include <algorithm>
#include <map>

namespace lastgood::catalog {

namespace {

SegmentRange make_range(std::uint32_t tli, std::uint64_t first, std::uint64_t last,
                        std::uint64_t seg_size)
{
  return SegmentRange{first, last, pg::wal_file_name(tli, first, seg_size),
                      pg::wal_file_name(tli, last, seg_size)};
}

// Adds timeline-tree facts from history files of this cluster.
void attach_history(const std::vector<HistoryRow>& rows,
                    std::map<std::uint32_t, TimelineWal>& timelines)
{
  // A history file lists every ancestor; the entry with the highest parent is the direct one.
  for (const auto& row : rows) {
    auto& t = timelines[row.timeline];
    t.timeline = row.timeline;
    if (!t.parent || row.parent_timeline > *t.parent) {
      t.parent = row.parent_timeline;
      t.switch_lsn = row.switch_lsn;
    }
  }
  for (auto& [tli, t] : timelines)
    if (t.parent && timelines.count(*t.parent)) {
      auto& p = timelines[*t.parent];
      if (!p.child_switch_lsn || *t.switch_lsn < *p.child_switch_lsn)
        p.child_switch_lsn = t.switch_lsn;
    }
}

// Segments whose directory is dominated by another cluster's segments: the
// counts per directory in one pass, then the segments of the few directories
// that hold more than one cluster's (most fleets: none).
void attach_foreign(Database& db, std::vector<ClusterWal>& clusters)
{
  std::map<std::pair<std::int64_t, std::string>, std::vector<const WalDirectoryCount*>> by_dir;
  auto counts = wal_directory_counts(db);
  for (const auto& c : counts)
    by_dir[{c.repository_id, c.directory}].push_back(&c);
  std::map<std::int64_t, std::string> sysid_of;
  struct Found
  {
    std::string cluster;
    ForeignSegment segment;
  };
  std::vector<Found> found;
  for (const auto& [dir, in_dir] : by_dir) {
    if (in_dir.size() < 2) continue;
    // The most segments, the lowest cluster id on a tie.
    const WalDirectoryCount* dominant = in_dir.front();
    for (const auto* c : in_dir)
      if (c->segments > dominant->segments ||
          (c->segments == dominant->segments && c->cluster_id < dominant->cluster_id))
        dominant = c;
    if (sysid_of.empty())
      for (const auto& [sysid, row] : wal_clusters(db, std::nullopt))
        sysid_of[row.id] = sysid;
    for (const auto* c : in_dir) {
      if (c == dominant) continue;
      for (auto& seg : cluster_segments_in_directory(db, dir.first, dir.second, c->cluster_id))
        found.push_back({sysid_of[c->cluster_id], ForeignSegment{seg.name, seg.repository, seg.key,
                                                                 sysid_of[dominant->cluster_id]}});
    }
  }
  std::stable_sort(found.begin(), found.end(),
                   [](const Found& a, const Found& b) { return a.segment.key < b.segment.key; });
  for (const auto& [owner, f] : found)
    for (auto& c : clusters) {
      if (c.system_identifier == owner) c.foreign_segments.push_back(f);
      if (c.system_identifier == f.directory_cluster)
        c.problems.push_back(f.key + ": belongs to cluster " + owner + ", not " +
                             f.directory_cluster +
                             " (archived from the wrong server?): it is never used for recovery");
    }
}

// For each base backup: are the segments from its start to its stop archived,
// or carried by the backup itself (pg_basebackup -X fetch/stream)?
void attach_backups(ClusterWal& cluster, const WalClusterRow& row,
                    const std::vector<const WalBackupRow*>& backups,
                    const std::map<std::int64_t, std::vector<CarriedSegment>>& carried,
                    const UsableSegments& usable)
{
  if (cluster.segment_size == 0) // no archived segment: the size pg_control gave
    cluster.segment_size =
        row.control_segment_size && pg::valid_segment_size(*row.control_segment_size)
            ? static_cast<std::uint64_t>(*row.control_segment_size)
            : pg::kDefaultWalSegmentSize;
  static const std::vector<CarriedSegment> none;
  for (const auto* row_of_backup : backups) {
    const auto& r = *row_of_backup;
    BackupWal b;
    b.backup_id = r.backup_id;
    b.status = r.status;
    b.label = r.label;
    b.backup_type = r.backup_type;
    auto tli = static_cast<std::uint32_t>(r.timeline.value_or(1));
    auto first = pg::segment_of(pg::Lsn{r.start_lsn}, cluster.segment_size);
    auto last = pg::last_segment_for(pg::Lsn{r.stop_lsn}, cluster.segment_size);
    b.first = pg::wal_file_name(tli, first, cluster.segment_size);
    b.last = pg::wal_file_name(tli, last, cluster.segment_size);
    auto own_rows = carried.find(r.row_id);
    BackupOwnWal own(own_rows == carried.end() ? none : own_rows->second, cluster.segment_size,
                     r.start_lsn, r.stop_lsn);
    if (auto missing = own.first_missing(usable, tli, first, last, true))
      b.missing = pg::wal_file_name(tli, *missing, cluster.segment_size);
    b.complete = !b.missing;
    b.from_backup = own.read_from_backup(usable, tli, first, last);
    cluster.backups.push_back(b);
  }
}

// Segments whose page header could not be read (no cluster): read one by one.
void read_unknown_cluster(Database& db, ClusterWal& cluster,
                          std::map<std::uint32_t, TimelineWal>& timelines)
{
  auto s = db.prepare(
      "SELECT ws.timeline, ws.segno, ws.partial, ws.segment_size, ws.problem, o.key"
      " FROM wal_segments ws JOIN objects o ON o.id = ws.object_id WHERE ws.cluster_id IS NULL"
      " AND o.missing_since IS NULL AND o.deleted_at IS NULL ORDER BY ws.timeline, ws.segno");
  std::optional<std::uint64_t> run_first, run_last;
  std::uint32_t run_tli = 0;
  auto close_run = [&] {
    if (run_first)
      timelines[run_tli].ranges.push_back(
          make_range(run_tli, *run_first, *run_last, cluster.segment_size));
    run_first.reset();
  };
  while (s.step()) {
    auto tli = static_cast<std::uint32_t>(s.int64(0));
    auto segno = static_cast<std::uint64_t>(s.int64(1));
    bool partial = s.int64(2) != 0;
    cluster.segment_size = static_cast<std::uint64_t>(s.int64(3));
    if (auto problem = s.opt_text(4)) cluster.problems.push_back(s.text(5) + ": " + *problem);
    auto& t = timelines[tli];
    t.timeline = tli;
    if (partial) { // never used by recovery: not part of a range
      ++t.partial_segments;
      continue;
    }
    ++t.segments;
    if (run_first && tli == run_tli && segno == *run_last) continue; // same segment stored twice
    if (run_first && tli == run_tli && segno == *run_last + 1) {
      run_last = segno;
      continue;
    }
    close_run();
    run_tli = tli;
    run_first = run_last = segno;
  }
  close_run();
}

// Ranges, counts and problems of one cluster's present segments: usable ones
// as runs (islands read apart only for a timeline with holes), plus the few
// partial or damaged ones. A damaged whole segment still extends a range.
void read_known_cluster(Database& db, ClusterWal& cluster, const WalClusterRow& row,
                        const std::vector<const UsableRun*>& runs,
                        const std::vector<const UnusableSegmentRow*>& unusable,
                        std::map<std::uint32_t, TimelineWal>& timelines, UsableSegments& usable)
{
  cluster.segment_size = static_cast<std::uint64_t>(row.last_segment_size.value_or(0));
  std::map<std::uint32_t, std::vector<std::pair<std::uint64_t, std::uint64_t>>> spans;
  for (const auto* run : runs) {
    auto& t = timelines[run->timeline];
    t.timeline = run->timeline;
    t.segments += run->rows;
    auto islands =
        run->contiguous()
            ? std::vector<std::pair<std::uint64_t, std::uint64_t>>{{run->first, run->last}}
            : islands_of(usable_segnos(db, row.id, run->timeline));
    spans[run->timeline] = islands;
    usable.set(run->timeline, std::move(islands));
  }
  for (const auto* u : unusable) {
    if (u->problem) cluster.problems.push_back(u->key + ": " + *u->problem);
    auto& t = timelines[u->timeline];
    t.timeline = u->timeline;
    if (u->partial) { // never used by recovery: not part of a range
      ++t.partial_segments;
      continue;
    }
    ++t.segments;
    spans[u->timeline].emplace_back(u->segno, u->segno);
  }
  for (auto& [tli, list] : spans) {
    std::sort(list.begin(), list.end());
    std::vector<std::pair<std::uint64_t, std::uint64_t>> merged;
    for (const auto& [first, last] : list)
      if (!merged.empty() && first <= merged.back().second + 1)
        merged.back().second = std::max(merged.back().second, last);
      else
        merged.emplace_back(first, last);
    for (const auto& [first, last] : merged)
      timelines[tli].ranges.push_back(make_range(tli, first, last, cluster.segment_size));
  }
}

} // namespace

std::vector<ClusterWal> wal_summary(Database& db,
                                    const std::optional<std::string>& system_identifier)
{
  std::vector<ClusterWal> out;
  // Clusters with archived WAL, and those with base backups only (whose WAL
  // may all be carried by the backups themselves, or missing).
  // Per cluster an index probe (wal_segments_chain, backups_by_cluster), not
  // a pass over the fleet's whole archive; NULL: segments whose header was unreadable.
  auto clusters = db.prepare(
      "SELECT c.system_identifier FROM clusters c WHERE (?1 IS NULL OR c.system_identifier = ?1)"
      " AND (EXISTS (SELECT 1 FROM wal_segments ws WHERE ws.cluster_id = c.id)"
      "  OR EXISTS (SELECT 1 FROM backups b WHERE b.cluster_id = c.id AND b.kind = 'physical'"
      "   AND b.deleted_at IS NULL))"
      " UNION ALL SELECT NULL WHERE ?1 IS NULL"
      " AND EXISTS (SELECT 1 FROM wal_segments ws WHERE ws.cluster_id IS NULL) ORDER BY 1");
  clusters.bind(1, system_identifier);
  std::vector<std::optional<std::string>> ids;
  while (clusters.step())
    ids.push_back(clusters.opt_text(0));

  // Everything else in a few statements for all clusters (or the one asked for).
  std::optional<std::int64_t> only;
  auto rows = wal_clusters(db, std::nullopt);
  if (system_identifier) {
    auto it = rows.find(*system_identifier);
    if (it == rows.end())
      rows.clear();
    else
      only = it->second.id;
  }
  std::map<std::int64_t, std::vector<const UsableRun*>> runs_of;
  std::map<std::int64_t, std::vector<const UnusableSegmentRow*>> unusable_of;
  std::map<std::int64_t, std::vector<HistoryRow>> history_of;
  std::map<std::int64_t, std::vector<const WalBackupRow*>> backups_of;
  std::vector<UsableRun> runs;
  std::vector<UnusableSegmentRow> unusable;
  std::vector<WalBackupRow> backups;
  std::map<std::int64_t, std::vector<CarriedSegment>> carried;
  if (!rows.empty()) {
    runs = usable_wal_runs(db, only);
    unusable = present_unusable_segments(db, only);
    backups = physical_backups_with_lsns(db, only);
    carried = carried_segments_of_backups(db, only);
    for (auto& h : timeline_history_rows(db, only))
      history_of[h.cluster_id].push_back(h);
  }
  for (const auto& r : runs)
    runs_of[r.cluster_id].push_back(&r);
  for (const auto& u : unusable)
    unusable_of[u.cluster_id].push_back(&u);
  for (const auto& b : backups)
    backups_of[b.cluster_id].push_back(&b);

  for (const auto& id : ids) {
    ClusterWal cluster;
    cluster.system_identifier = id;
    std::map<std::uint32_t, TimelineWal> timelines;
    const WalClusterRow* row = nullptr;
    UsableSegments usable;
    if (id) {
      auto it = rows.find(*id);
      if (it != rows.end()) row = &it->second;
    }
    if (row) {
      read_known_cluster(db, cluster, *row, runs_of[row->id], unusable_of[row->id], timelines,
                         usable);
      attach_history(history_of[row->id], timelines);
    } else if (!id) {
      read_unknown_cluster(db, cluster, timelines);
    }
    for (auto& [tli, t] : timelines) {
      for (std::size_t i = 1; i < t.ranges.size(); ++i)
        t.gaps.push_back(make_range(tli, t.ranges[i - 1].last_segno + 1,
                                    t.ranges[i].first_segno - 1, cluster.segment_size));
      // Up to a child's switch point this timeline's own segments are needed;
      // the switch segment itself is read from the child's file.
      if (t.child_switch_lsn && !t.ranges.empty()) {
        auto switch_segno = pg::segment_of(pg::Lsn{*t.child_switch_lsn}, cluster.segment_size);
        if (switch_segno > 0 && t.ranges.back().last_segno + 1 < switch_segno)
          t.gaps.push_back(make_range(tli, t.ranges.back().last_segno + 1, switch_segno - 1,
                                      cluster.segment_size));
      }
      cluster.timelines.push_back(t);
    }
    if (row) attach_backups(cluster, *row, backups_of[row->id], carried, usable);
    out.push_back(std::move(cluster));
  }
  attach_foreign(db, out);
  return out;
}

nlohmann::json to_json(const ClusterWal& c)
{
  using nlohmann::json;
  auto range_json = [](const SegmentRange& r) {
    return json{{"first", r.first_name},
                {"last", r.last_name},
                {"segments", r.last_segno - r.first_segno + 1}};
  };
  json timelines = json::array();
  for (const auto& t : c.timelines) {
    json ranges = json::array(), gaps = json::array();
    for (const auto& r : t.ranges)
      ranges.push_back(range_json(r));
    for (const auto& g : t.gaps)
      gaps.push_back(range_json(g));
    timelines.push_back({{"timeline", t.timeline},
                         {"parent", t.parent ? json(*t.parent) : json()},
                         {"switch_lsn", t.switch_lsn ? json(pg::Lsn{*t.switch_lsn}.str()) : json()},
                         {"segments", t.segments},
                         {"partial_segments", t.partial_segments},
                         {"ranges", ranges},
                         {"gaps", gaps}});
  }
  json foreign = json::array(), backups = json::array();
  for (const auto& f : c.foreign_segments)
    foreign.push_back({{"name", f.name},
                       {"repository", f.repository},
                       {"key", f.key},
                       {"directory_cluster", f.directory_cluster}});
  for (const auto& b : c.backups)
    backups.push_back({{"backup_id", b.backup_id},
                       {"status", b.status},
                       {"first", b.first},
                       {"last", b.last},
                       {"complete", b.complete},
                       {"missing", b.missing ? json(*b.missing) : json()},
                       {"from_backup", b.from_backup},
                       {"label", b.label ? json(*b.label) : json()},
                       {"backup_type", b.backup_type ? json(*b.backup_type) : json()}});
  return {{"system_identifier", c.system_identifier ? json(*c.system_identifier) : json()},
          {"foreign_segments", foreign},
          {"base_backups", backups},
          {"segment_size", c.segment_size},
          {"timelines", timelines},
          {"problems", c.problems}};
}

bool has_gaps(const std::vector<ClusterWal>& clusters)
{
  for (const auto& c : clusters)
    for (const auto& t : c.timelines)
      if (!t.gaps.empty()) return true;
  return false;
}

} // namespace lastgood::catalog

namespace lastgood::catalog {

bool has_problems(const std::vector<ClusterWal>& clusters)
{
  if (has_gaps(clusters)) return true;
  for (const auto& c : clusters) {
    if (!c.problems.empty() || !c.foreign_segments.empty()) return true;
    for (const auto& b : c.backups)
      if (!b.complete) return true;
  }
  return false;
}

} // namespace lastgood::catalog
