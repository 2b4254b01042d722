#include "restore/pitr_time.hpp"

#include "catalog/base_backup_candidates.hpp"
#include "restore/commit_times.hpp"

#include <algorithm>

namespace lastgood::restore {

std::uint32_t timeline_of_segment(const std::vector<PathStep>& path, std::uint64_t segno,
                                  std::uint64_t segment_size)
{
  std::uint32_t owner = path.front().timeline;
  for (const auto& step : path)
    if (pg::segment_of(pg::Lsn{step.begin}, segment_size) <= segno) owner = step.timeline;
  return owner;
}

namespace {

std::uint64_t end_of_archive(catalog::WalChain& chain, const std::vector<PathStep>& path,
                             std::uint64_t at_least)
{
  std::uint64_t end = at_least;
  for (const auto& step : path)
    if (auto m = chain.max_segno(step.timeline)) end = std::max(end, *m);
  return end;
}

// The first backup starting after the target: the first commit after the
// target is (roughly) before its start.
std::optional<std::uint64_t> upper_anchor(catalog::Database& db, std::int64_t cluster_id,
                                          TimeUs target)
{
  auto ceil = std::chrono::ceil<std::chrono::seconds>(target);
  auto lsn =
      catalog::first_base_backup_start_after(db, cluster_id, format_rfc3339(TimePoint{ceil}));
  if (!lsn) return std::nullopt;
  return static_cast<std::uint64_t>(*lsn);
}

} // namespace

TargetEstimate estimate_target(catalog::Database& db, catalog::WalChain& chain,
                               const PlanRequest& request, const PlannedBackup& backup,
                               const std::vector<PathStep>& path, std::uint64_t segment_size,
                               const std::optional<TransactionEnd>& xid_end)
{
  TargetEstimate e;
  const auto& t = request.target;
  const std::uint64_t consistent = pg::last_segment_for(backup.stop_lsn, segment_size);
  switch (t.kind) {
  case TargetKind::Immediate:
    e.last_segno = consistent;
    e.point = {backup.stop_lsn, backup.stop_timeline, backup.stop_time,
               "exact LSN (consistency point of the base backup); time to the second"};
    return e;
  case TargetKind::Lsn:
    e.last_segno = std::max(consistent, pg::segment_of(*t.lsn, segment_size));
    e.point = {*t.lsn, timeline_of_segment(path, e.last_segno, segment_size), std::nullopt,
               "exact (LSN target)"};
    return e;
  case TargetKind::Latest: {
    e.last_segno = end_of_archive(chain, path, consistent);
    auto tli = timeline_of_segment(path, e.last_segno, segment_size);
    e.point = {pg::segment_start(e.last_segno + 1, segment_size), tli, std::nullopt,
               "approximate: end of the newest archived segment (recovery replays what it finds)"};
    return e;
  }
  case TargetKind::Xid: {
    // Planning found the end record (pitr_plan.cpp); recovery stops there.
    const auto end = xid_end ? xid_end->end_lsn : backup.stop_lsn;
    e.last_segno = std::max(consistent, pg::segment_of(end, segment_size));
    e.point = {end, timeline_of_segment(path, e.last_segno, segment_size),
               xid_end ? xid_end->time : std::nullopt,
               "exact: the " + (xid_end ? xid_end->kind : std::string("end")) +
                   " record of transaction " + std::to_string(t.xid.value_or(0)) +
                   " (pg_waldump); recovery stops " + (t.inclusive ? "after" : "before") + " it"};
    return e;
  }
  case TargetKind::Time:
    break;
  }
  const TimeUs target = *t.time;
  const std::uint64_t end = end_of_archive(chain, path, consistent);
  const auto target_ns =
      std::chrono::duration_cast<std::chrono::nanoseconds>(target.time_since_epoch()).count();
  std::optional<std::uint64_t> found;
  for (const auto& span : segment_spans(path, consistent, end, segment_size))
    if ((found = chain.first_archived_after(span.timeline, span.first, span.last, target_ns)))
      break;
  std::string how = "approximate: the first segment archived after the target (archive times)";
  if (found) {
    e.last_segno = *found;
    if (auto upper = upper_anchor(db, chain.cluster_id(), target)) {
      auto upper_seg = std::max(consistent, pg::segment_of(pg::Lsn{*upper}, segment_size));
      if (upper_seg < e.last_segno) {
        e.last_segno = upper_seg;
        how = "approximate: the start of the first base backup taken after the target";
      }
    }
  } else {
    e.last_segno = end;
  }
  bool exact = false;
  if (request.use_waldump) {
    auto refined = refine_with_commit_times(db, chain, path, target, consistent, end, e.last_segno,
                                            segment_size, request.cipher_pass);
    if (refined.segno) {
      e.last_segno = *refined.segno;
      exact = true;
      how = "exact segment: pg_waldump commit records (" + refined.evidence + ")";
      found = refined.after_end ? std::nullopt : std::optional<std::uint64_t>(*refined.segno);
    }
    for (auto& n : refined.notes)
      e.notes.push_back(n);
  }
  if (!found)
    e.warnings.push_back(
        "the target " + format_target_time(target) +
        " is after the end of the archive: recovery replays every archived segment and "
        "PostgreSQL 13+ then stops with \"recovery ended before configured recovery target was "
        "reached\"; to recover everything archived, plan without a target (--target latest)");
  auto tli = timeline_of_segment(path, e.last_segno, segment_size);
  e.point = {pg::segment_start(e.last_segno, segment_size), tli, format_target_time(target),
             exact ? "time exact; LSN: in segment " +
                         pg::wal_file_name(tli, e.last_segno, segment_size)
                   : "time as given; LSN approximate: in or before segment " +
                         pg::wal_file_name(tli, e.last_segno, segment_size)};
  e.notes.push_back("target time mapped to WAL: " + how);
  if (!exact)
    e.notes.push_back(
        "the catalog knows backup stop times to the second and segment archive times only roughly; "
        "install the PostgreSQL server tools (pg_waldump) for an exact mapping");
  return e;
}

} // namespace lastgood::restore
