#include "restore/pitr_plan.hpp"

#include "catalog/backup_own_wal.hpp"
#include "catalog/base_backup_candidates.hpp"
#include "catalog/wal_chain.hpp"
#include "common/error.hpp"
#include "restore/cluster_choice.hpp"
#include "restore/commit_times.hpp"
#include "restore/pitr_path.hpp"
#include "restore/pitr_time.hpp"
#include "restore/wal_activity_scan.hpp"
#include "restore/xid_target.hpp"

#include <algorithm>
#include <charconv>

namespace lastgood::restore {

namespace {

PlannedBackup planned(const catalog::BaseBackupRow& row)
{
  PlannedBackup b;
  b.id = row.id;
  b.backup_id = row.backup_id;
  b.repository_id = row.repository_id;
  b.repository = row.repository;
  b.root_key = row.root_key;
  b.format = row.format;
  b.status = row.status;
  b.timeline = static_cast<std::uint32_t>(row.timeline.value_or(1));
  b.stop_timeline = static_cast<std::uint32_t>(row.stop_timeline.value_or(b.timeline));
  b.start_lsn = pg::Lsn{static_cast<std::uint64_t>(row.start_lsn)};
  b.stop_lsn = pg::Lsn{static_cast<std::uint64_t>(row.stop_lsn)};
  b.start_time = row.start_time;
  b.stop_time = row.stop_time;
  return b;
}

// What went wrong with one candidate backup.
struct Failure
{
  Unreachable unreachable;
  bool blocks_older = false; // an older backup on the same path would fail the same way
};

class Planner
{
public:
  Planner(catalog::Database& db, const PlanRequest& request, const ClusterRef& cluster)
      : m_db(db), m_request(request), m_cluster(cluster), m_chain(db, cluster.id)
  {
  }

  PitrPlan run();

private:
  std::optional<Failure> try_backup(const PlannedBackup& b, PitrPlan& plan);
  std::optional<Failure> check_spans(const std::vector<SegmentSpan>& spans, const PlannedBackup& b,
                                     const catalog::BackupOwnWal& own, bool tail_ok);
  catalog::BackupOwnWal own_wal(const PlannedBackup& b);
  RecoveryPoint point_at_segment_end(std::uint32_t timeline, std::uint64_t segno,
                                     const std::string& precision);
  void fill_window(PitrPlan& plan, const std::vector<PathStep>& path);
  std::optional<PlannedBackup> usable_backup(const std::vector<PathStep>& path, bool newest);
  std::optional<std::int64_t> backup_filter();

  catalog::Database& m_db;
  const PlanRequest& m_request;
  ClusterRef m_cluster;
  catalog::WalChain m_chain;
  std::optional<TransactionEnd> m_xid_end; // Xid targets
};

std::optional<std::int64_t> Planner::backup_filter()
{
  if (!m_request.backup_id) return std::nullopt;
  const auto& wanted = *m_request.backup_id;
  const auto matches = catalog::backups_matching_id(m_db, wanted);
  if (matches.empty())
    throw UsageError("no backup '" + wanted + "' in the catalog: see `lastgood backups`");
  auto id = matches[0].id;
  auto kind = matches[0].kind;
  auto first = matches[0].backup_id;
  if (first != wanted && matches.size() > 1)
    throw UsageError("backup ID '" + wanted + "' is ambiguous (" + first + ", " +
                     matches[1].backup_id + "); give more of it");
  if (kind != "physical")
    throw UsageError("backup '" + wanted + "' is a logical dump: PITR needs a base backup");
  return id;
}

RecoveryPoint Planner::point_at_segment_end(std::uint32_t timeline, std::uint64_t segno,
                                            const std::string& precision)
{
  RecoveryPoint p;
  p.timeline = timeline;
  p.lsn = pg::segment_start(segno + 1, m_cluster.segment_size);
  if (auto f = m_chain.segment(timeline, segno); f && f->mtime_ns > 0)
    p.time = format_target_time(TimeUs{std::chrono::microseconds{f->mtime_ns / 1000}});
  p.precision = precision;
  return p;
}

catalog::BackupOwnWal Planner::own_wal(const PlannedBackup& b)
{
  return catalog::BackupOwnWal(m_db, b.id, m_cluster.id, m_cluster.segment_size, b.start_lsn.value,
                               b.stop_lsn.value);
}

// Every segment of the spans archived or carried by the backup itself (the
// partial stop segment only when `tail_ok`: replay ends at consistency).
std::optional<Failure> Planner::check_spans(const std::vector<SegmentSpan>& spans,
                                            const PlannedBackup& b,
                                            const catalog::BackupOwnWal& own, bool tail_ok)
{
  const auto consistent_segno = own.consistent_segno();
  std::optional<std::uint32_t> previous_tli;
  for (const auto& span : spans) {
    auto missing = own.first_missing(m_chain, span.timeline, span.first, span.last, tail_ok);
    if (!missing) {
      previous_tli = span.timeline;
      continue;
    }
    Failure f;
    auto name = pg::wal_file_name(span.timeline, *missing, m_cluster.segment_size);
    f.unreachable.reason = UnreachableReason::MissingSegment;
    f.unreachable.missing_name = name;
    std::string why = "WAL segment " + name + " is not in the archive";
    if (auto other = m_chain.foreign_cluster_of(span.timeline, *missing)) {
      f.unreachable.foreign_cluster = *other;
      why += " (a file of that name is archived, but it belongs to cluster " + *other + ", not " +
             m_cluster.system_identifier + ")";
    } else if (auto problem = m_chain.problem_of(span.timeline, *missing)) {
      why += " (the archived copy cannot be used: " + *problem + ")";
    }
    if (*missing == consistent_segno && own.carries_partial_tail(span.timeline)) {
      // The backup becomes consistent from its own WAL, but cannot go further.
      f.blocks_older = true;
      f.unreachable.message = why + ": base backup " + b.backup_id +
                              " carries it only up to its consistency point " + b.stop_lsn.str() +
                              ", and the target lies beyond; archive WAL past that point";
      f.unreachable.nearest =
          RecoveryPoint{b.stop_lsn, b.stop_timeline, b.stop_time,
                        "exact LSN (consistency point of " + b.backup_id +
                            ", where the WAL it carries itself ends); time to the second"};
      return f;
    }
    if (*missing <= consistent_segno) {
      f.unreachable.message =
          why + ": base backup " + b.backup_id + " cannot become consistent without it";
      return f;
    }
    f.blocks_older = true;
    f.unreachable.message = why + ": recovery from " + b.backup_id + " stops before it";
    std::uint64_t last_good = *missing - 1;
    std::uint32_t tli = span.timeline;
    if (*missing == span.first && previous_tli) tli = *previous_tli;
    f.unreachable.nearest =
        point_at_segment_end(tli, last_good,
                             "approximate: end of the last contiguous segment " +
                                 pg::wal_file_name(tli, last_good, m_cluster.segment_size) +
                                 "; time is its archive time");
    return f;
  }
  return std::nullopt;
}

std::optional<Failure> Planner::try_backup(const PlannedBackup& b, PitrPlan& plan)
{
  const auto& histories = m_chain.histories();
  auto target_tli = m_request.timeline.value_or(latest_timeline(histories, b.timeline));
  plan.target_timeline = target_tli;
  auto path = timeline_path(histories, target_tli);
  if (!path) {
    Failure f;
    char name[32];
    std::snprintf(name, sizeof name, "%08X.history", target_tli);
    f.unreachable.reason = UnreachableReason::MissingHistory;
    f.unreachable.missing_name = name;
    f.unreachable.message = std::string("timeline history file ") + name + " is not in the archive";
    f.blocks_older = true;
    return f;
  }
  if (!step_for(*path, b.timeline, b.start_lsn.value) ||
      !step_for(*path, b.stop_timeline, b.stop_lsn.value)) {
    Failure f;
    f.unreachable.reason = UnreachableReason::TimelineNotReachable;
    f.unreachable.message = "base backup " + b.backup_id + " (timeline " +
                            std::to_string(b.timeline) + ", " + b.start_lsn.str() + " to " +
                            b.stop_lsn.str() + ") is not in the history of timeline " +
                            std::to_string(target_tli);
    return f;
  }
  const auto seg = m_cluster.segment_size;
  const std::uint64_t first = pg::segment_of(b.start_lsn, seg);
  if (const auto& t = m_request.target;
      t.kind == TargetKind::Time && b.stop_time &&
      *b.stop_time >=
          format_rfc3339(TimePoint{std::chrono::floor<std::chrono::seconds>(*t.time)})) {
    auto proven = m_request.use_waldump ? written_before(m_db, m_chain, *path, b.stop_lsn, *t.time,
                                                         seg, m_request.cipher_pass)
                                        : std::nullopt;
    if (!proven || !*proven) {
      Failure f;
      f.unreachable.reason = UnreachableReason::TargetBeforeConsistency;
      f.unreachable.message =
          "base backup " + b.backup_id + " ends in the target's second (" + *b.stop_time + ")" +
          (proven ? ", after the target according to its commit records"
                  : " and without pg_waldump commit records it cannot be shown to end before it");
      return f;
    }
    plan.notes.push_back(
        "base backup " + b.backup_id +
        " ends in the target's second; commit records show it ends before the target");
  }
  // Where the target lies: its last needed segment, and on which timeline.
  TargetEstimate target = estimate_target(m_db, m_chain, m_request, b, *path, seg, m_xid_end);
  plan.target_point = target.point;
  for (auto& n : target.notes)
    plan.notes.push_back(n);
  for (auto& w : target.warnings)
    plan.warnings.push_back(w);
  auto spans = segment_spans(*path, first, target.last_segno, seg);
  const auto own = own_wal(b);
  const auto& kind = m_request.target.kind;
  // Replay may end at consistency in the backup's own partial stop segment.
  const bool tail_ok = target.last_segno == own.consistent_segno() &&
                       (kind == TargetKind::Immediate || kind == TargetKind::Latest);
  if (auto failure = check_spans(spans, b, own, tail_ok)) return failure;

  plan.backup = b;
  plan.reachable = true;
  // History files PostgreSQL reads: every timeline on the path after the first.
  for (const auto& step : *path) {
    if (step.timeline <= 1) continue;
    auto it = histories.find(step.timeline);
    if (it == histories.end()) continue; // only the target's is required (checked above)
    const auto& f = it->second.file;
    plan.wal.push_back(PlannedWalFile{WalFileKind::History, f.object_id, f.repository_id,
                                      f.repository, f.key, f.name, f.timeline, 0, "", f.size,
                                      f.sha256});
  }
  for (const auto& span : spans) {
    TimelineStep step;
    step.timeline = span.timeline;
    for (const auto& p : *path)
      if (p.timeline == span.timeline) {
        step.begin = pg::Lsn{std::max(p.begin, b.start_lsn.value)};
        if (p.end) step.switch_lsn = pg::Lsn{*p.end};
      }
    step.first_segno = span.first;
    step.last_segno = span.last;
    step.segments = span.last - span.first + 1;
    plan.timelines.push_back(step);
    for (auto name : own.read_from_backup(m_chain, span.timeline, span.first, span.last))
      plan.backup_wal.push_back(std::move(name));
    for (auto segno = span.first; segno <= span.last; ++segno) {
      auto f = m_chain.segment(span.timeline, segno);
      if (!f && own.carries(span.timeline, segno, !tail_ok)) continue; // read from its pg_wal/
      if (!f)
        throw DatabaseError("segment " + pg::wal_file_name(span.timeline, segno, seg) +
                            " vanished while planning");
      plan.wal.push_back(PlannedWalFile{WalFileKind::Segment, f->object_id, f->repository_id,
                                        f->repository, f->key, f->name, f->timeline, f->segno,
                                        f->compression, f->size, f->sha256});
    }
  }
  if (!plan.backup_wal.empty()) {
    plan.notes.push_back("base backup " + b.backup_id + " carries " +
                         std::to_string(plan.backup_wal.size()) +
                         " WAL segment(s) the archive lacks (pg_basebackup -X fetch/stream): "
                         "recovery reads them from the restored pg_wal/");
    if (kind == TargetKind::Latest && tail_ok &&
        !m_chain.segment(b.stop_timeline, own.consistent_segno()))
      plan.target_point = RecoveryPoint{b.stop_lsn, b.stop_timeline, b.stop_time,
                                        "exact LSN: the consistency point of " + b.backup_id +
                                            ", where its own WAL ends (nothing later is archived)"};
  }
  if (b.status != "good")
    plan.warnings.push_back(
        "base backup " + b.backup_id +
        " has not passed a test restore yet (status unverified): run `lastgood verify " +
        b.backup_id + " --level restore`");
  fill_window(plan, *path);
  return std::nullopt;
}

// The oldest (or newest) usable base backup on the path: its start..stop WAL
// archived. One indexed query per timeline of the path.
std::optional<PlannedBackup> Planner::usable_backup(const std::vector<PathStep>& path, bool newest)
{
  const auto seg = m_cluster.segment_size;
  for (std::size_t i = 0; i < path.size(); ++i) {
    const auto& step = newest ? path[path.size() - 1 - i] : path[i];
    for (const auto& row :
         catalog::base_backups_on_timeline(m_db, m_cluster.id, step.timeline, newest)) {
      auto b = planned(row);
      if (!step_for(path, b.timeline, b.start_lsn.value) ||
          !step_for(path, b.stop_timeline, b.stop_lsn.value))
        continue;
      auto spans = segment_spans(path, pg::segment_of(b.start_lsn, seg),
                                 pg::last_segment_for(b.stop_lsn, seg), seg);
      const auto own = own_wal(b);
      bool complete = true;
      for (const auto& span : spans)
        complete =
            complete && !own.first_missing(m_chain, span.timeline, span.first, span.last, true);
      if (complete) return b;
    }
  }
  return std::nullopt;
}

void Planner::fill_window(PitrPlan& plan, const std::vector<PathStep>& path)
{
  const auto seg = m_cluster.segment_size;
  if (auto b = usable_backup(path, false))
    plan.earliest = RecoveryPoint{b->stop_lsn, b->stop_timeline, b->stop_time,
                                  "exact LSN (consistency point of " + b->backup_id +
                                      "); time to the second (backup stop time)"};
  // Latest: the end of the contiguous run from the newest usable backup (an
  // older backup's run cannot end later) to the end of the archive.
  auto newest = usable_backup(path, true);
  const auto& b = newest ? *newest : *plan.backup;
  std::uint64_t end = pg::segment_of(b.start_lsn, seg);
  for (const auto& step : path)
    if (auto m = m_chain.max_segno(step.timeline)) end = std::max(end, *m);
  auto spans = segment_spans(path, pg::segment_of(b.start_lsn, seg), end, seg);
  // The run counts the backup's own WAL, whole segments only: replay beyond
  // its consistency point needs the archived stop segment.
  const auto own = own_wal(b);
  std::optional<std::pair<std::uint32_t, std::uint64_t>> last;
  for (const auto& span : spans) {
    auto missing = own.first_missing(m_chain, span.timeline, span.first, span.last, false);
    std::optional<std::uint64_t> run;
    if (!missing)
      run = span.last;
    else if (*missing > span.first)
      run = *missing - 1;
    if (run) last = {span.timeline, *run};
    if (!run || *run != span.last) break;
  }
  if (last && pg::segment_start(last->second + 1, seg).value >= b.stop_lsn.value)
    plan.latest = point_at_segment_end(
        last->first, last->second,
        "approximate: end of the last contiguous segment; time is its archive time");
  else if (!own.empty())
    plan.latest = RecoveryPoint{b.stop_lsn, b.stop_timeline, b.stop_time,
                                "exact LSN (consistency point of " + b.backup_id +
                                    ", where the WAL it carries itself ends); time to the second"};
  else if (last)
    plan.latest = point_at_segment_end(
        last->first, last->second,
        "approximate: end of the last contiguous segment; time is its archive time");
}

PitrPlan Planner::run()
{
  PitrPlan plan;
  plan.system_identifier = m_cluster.system_identifier;
  plan.segment_size = m_cluster.segment_size;
  plan.target = m_request.target;
  plan.target_timeline = m_request.timeline.value_or(latest_timeline(m_chain.histories(), 1));
  auto filter = backup_filter();
  std::optional<std::string> bound;
  std::optional<std::uint64_t> lsn_bound;
  const auto& t = m_request.target;
  if (t.kind == TargetKind::Time) {
    // stop_time is truncated to the second: the backup really ended within the
    // second after it. One ending in the target's own second is a candidate
    // only if commit records prove it ended before (try_backup).
    bound = format_rfc3339(TimePoint{std::chrono::floor<std::chrono::seconds>(*t.time)});
  } else if (t.kind == TargetKind::Lsn) {
    lsn_bound = t.lsn->value;
  } else if (t.kind == TargetKind::Xid) {
    // The base backup must be consistent before the transaction's end record.
    auto path = search_path(m_chain, m_request.timeline);
    m_xid_end = find_transaction_end(m_db, m_chain, path, m_cluster.segment_size, *t.xid);
    if (!m_xid_end) {
      Unreachable u;
      u.reason = UnreachableReason::XidNotFound;
      u.message = "no commit or abort record of transaction " + std::to_string(*t.xid) +
                  " in the archived WAL of cluster " + m_cluster.system_identifier + " (timeline " +
                  std::to_string(path.back().timeline) +
                  " and its history): recovery would replay everything and never stop there; "
                  "find the transaction with `lastgood wal search`";
      plan.unreachable = u;
      return plan;
    }
    plan.transaction = m_xid_end;
    if (m_xid_end->kind == "abort")
      plan.warnings.push_back("transaction " + std::to_string(*t.xid) +
                              " aborted: recovery stops at its abort record");
    lsn_bound = m_xid_end->end_lsn.value;
  }
  // Newest first; among backups with the same consistency point (copies in two
  // repositories) a verified one first.
  catalog::BaseBackupCandidates candidates(m_db, m_cluster.id, filter, bound, lsn_bound);
  std::optional<Failure> first_failure;
  std::vector<PlannedBackup> group;
  auto next = candidates.next();
  while (next || !group.empty()) {
    if (next && (group.empty() ||
                 group.front().stop_lsn.value == static_cast<std::uint64_t>(next->stop_lsn))) {
      group.push_back(planned(*next));
      next = candidates.next();
      continue;
    }
    std::stable_sort(group.begin(), group.end(),
                     [](const PlannedBackup& a, const PlannedBackup& b) {
                       return a.status == "good" && b.status != "good";
                     });
    bool stop = false;
    for (const auto& b : group) {
      PitrPlan attempt = plan;
      auto failure = try_backup(b, attempt);
      if (!failure) return attempt;
      // Report the newest backup's failure, unless an older one came closer:
      // a missing file explains more than "not on this timeline's history".
      if (!first_failure || (!first_failure->blocks_older && failure->blocks_older)) {
        first_failure = failure;
        plan.backup = b;
        plan.target_timeline = attempt.target_timeline;
        plan.target_point = attempt.target_point;
        plan.notes = attempt.notes;
        plan.warnings = attempt.warnings;
      }
      // An older backup on the same path needs the same missing file.
      if (failure->blocks_older) stop = true;
    }
    group.clear();
    if (stop) break;
  }
  if (first_failure) {
    plan.unreachable = first_failure->unreachable;
    return plan;
  }
  // Nothing is consistent before the target: say where the earliest point is.
  Unreachable u;
  if (auto oldest = catalog::oldest_base_backup(m_db, m_cluster.id, filter)) {
    auto b = planned(*oldest);
    u.reason = UnreachableReason::TargetBeforeConsistency;
    u.message = "no usable base backup of cluster " + m_cluster.system_identifier +
                " is consistent before the target; the oldest, " + b.backup_id +
                ", becomes consistent at " + b.stop_lsn.str() +
                (b.stop_time ? " (" + *b.stop_time + ")" : "");
    u.nearest =
        RecoveryPoint{b.stop_lsn, b.stop_timeline, b.stop_time,
                      "exact LSN (consistency point of " + b.backup_id + "); time to the second"};
  } else {
    u.reason = UnreachableReason::NoBaseBackup;
    u.message = "no usable base backup of cluster " + m_cluster.system_identifier +
                " in the catalog (none, or all bad, deleted or missing): take one with "
                "pg_basebackup and scan";
  }
  plan.unreachable = u;
  return plan;
}

} // namespace

std::uint32_t parse_target_xid(std::string_view text)
{
  std::uint64_t value = 0;
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (text.empty() || ec != std::errc() || end != text.data() + text.size() || value < 3 ||
      value > 0xFFFFFFFFu)
    throw ValidationError("invalid transaction ID '" + std::string(text) +
                          "': give a decimal xid from 3 to 4294967295 (as `lastgood wal search` "
                          "prints it)");
  return static_cast<std::uint32_t>(value);
}

PitrPlan plan_pitr(catalog::Database& db, const PlanRequest& request)
{
  const auto& t = request.target;
  if (t.kind == TargetKind::Time && !t.time) throw UsageError("a time target needs a time");
  if (t.kind == TargetKind::Lsn && !t.lsn) throw UsageError("an LSN target needs an LSN");
  if (t.kind == TargetKind::Xid && !t.xid) throw UsageError("an xid target needs a transaction ID");
  if (!t.inclusive && t.kind != TargetKind::Time && t.kind != TargetKind::Lsn &&
      t.kind != TargetKind::Xid)
    throw UsageError("--exclusive goes with --target-time, --target-lsn or --target-xid");
  auto cluster = resolve_cluster(db, request.cluster);
  if (!cluster) {
    PitrPlan plan;
    plan.target = t;
    plan.system_identifier = request.cluster.value_or("");
    Unreachable u;
    u.reason = UnreachableReason::NoCluster;
    u.message =
        request.cluster
            ? "no base backup or archived WAL of cluster " + *request.cluster + " in the catalog"
            : "no base backup or archived WAL in the catalog: add the repository and scan it";
    plan.unreachable = u;
    return plan;
  }
  return Planner(db, request, *cluster).run();
}

} // namespace lastgood::restore
