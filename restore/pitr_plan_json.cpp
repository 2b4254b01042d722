#include "common/error.hpp"
#include "restore/pitr_plan.hpp"

#include <cstdio>
#include <ctime>

namespace lastgood::restore {

TimeUs parse_target_time(std::string_view text)
{
  // Split off the fraction: common/time parses whole seconds.
  std::string s(text);
  std::int64_t micros = 0;
  auto dot = s.find('.', 10);
  if (dot != std::string::npos) {
    auto end = dot + 1;
    std::string digits;
    while (end < s.size() && std::isdigit(static_cast<unsigned char>(s[end])))
      digits += s[end++];
    if (digits.empty())
      throw ValidationError("invalid time '" + s + "': no digits after the decimal point");
    digits = (digits + "000000").substr(0, 6);
    micros = std::stoll(digits);
    s.erase(dot, end - dot);
  }
  return TimeUs{parse_rfc3339(s).time_since_epoch()} + std::chrono::microseconds{micros};
}

std::string format_target_time(TimeUs time)
{
  auto secs = std::chrono::floor<std::chrono::seconds>(time);
  auto out = format_rfc3339(TimePoint{secs});
  auto micros = (time - secs).count();
  if (micros == 0) return out;
  char frac[16];
  std::snprintf(frac, sizeof frac, ".%06lld", static_cast<long long>(micros));
  out.insert(out.size() - 1, frac);
  return out;
}

std::string to_string(TargetKind kind)
{
  switch (kind) {
  case TargetKind::Time:
    return "time";
  case TargetKind::Lsn:
    return "lsn";
  case TargetKind::Immediate:
    return "immediate";
  case TargetKind::Latest:
    return "latest";
  case TargetKind::Xid:
    return "xid";
  }
  return "?";
}

std::string to_string(UnreachableReason reason)
{
  switch (reason) {
  case UnreachableReason::NoCluster:
    return "no_cluster";
  case UnreachableReason::NoBaseBackup:
    return "no_base_backup";
  case UnreachableReason::MissingSegment:
    return "missing_segment";
  case UnreachableReason::MissingHistory:
    return "missing_history";
  case UnreachableReason::TimelineNotReachable:
    return "timeline_not_reachable";
  case UnreachableReason::TargetBeforeConsistency:
    return "target_before_consistency";
  case UnreachableReason::XidNotFound:
    return "xid_not_found";
  }
  return "?";
}

std::string to_string(WalFileKind kind)
{
  return kind == WalFileKind::History ? "history" : "segment";
}

nlohmann::json to_json(const RecoveryPoint& p)
{
  return {{"lsn", p.lsn.str()},
          {"timeline", p.timeline},
          {"time", p.time ? nlohmann::json(*p.time) : nlohmann::json()},
          {"precision", p.precision}};
}

nlohmann::json to_json(const PitrPlan& plan)
{
  using nlohmann::json;
  auto opt_point = [](const std::optional<RecoveryPoint>& p) { return p ? to_json(*p) : json(); };
  json target = {{"kind", to_string(plan.target.kind)}};
  if (plan.target.time) target["time"] = format_target_time(*plan.target.time);
  if (plan.target.lsn) target["lsn"] = plan.target.lsn->str();
  if (plan.target.xid) target["xid"] = *plan.target.xid;
  target["inclusive"] = plan.target.inclusive;
  json out = {{"system_identifier", plan.system_identifier},
              {"segment_size", plan.segment_size},
              {"target", target},
              {"target_timeline", plan.target_timeline},
              {"reachable", plan.reachable},
              {"target_point", opt_point(plan.target_point)},
              {"earliest", opt_point(plan.earliest)},
              {"latest", opt_point(plan.latest)},
              {"warnings", plan.warnings},
              {"notes", plan.notes},
              {"backup_wal", plan.backup_wal}};
  if (plan.backup) {
    const auto& b = *plan.backup;
    out["backup"] = {{"id", b.id},
                     {"backup_id", b.backup_id},
                     {"repository", b.repository},
                     {"root_key", b.root_key},
                     {"format", b.format},
                     {"status", b.status},
                     {"timeline", b.timeline},
                     {"stop_timeline", b.stop_timeline},
                     {"start_lsn", b.start_lsn.str()},
                     {"stop_lsn", b.stop_lsn.str()},
                     {"start_time", b.start_time ? json(*b.start_time) : json()},
                     {"stop_time", b.stop_time ? json(*b.stop_time) : json()}};
  } else {
    out["backup"] = json();
  }
  json timelines = json::array();
  for (const auto& t : plan.timelines)
    timelines.push_back(
        {{"timeline", t.timeline},
         {"begin", t.begin.str()},
         {"switch_lsn", t.switch_lsn ? json(t.switch_lsn->str()) : json()},
         {"first_segment", pg::wal_file_name(t.timeline, t.first_segno, plan.segment_size)},
         {"last_segment", pg::wal_file_name(t.timeline, t.last_segno, plan.segment_size)},
         {"segments", t.segments}});
  out["timelines"] = timelines;
  json wal = json::array();
  for (const auto& f : plan.wal)
    wal.push_back({{"kind", to_string(f.kind)},
                   {"name", f.name},
                   {"object_id", f.object_id},
                   {"repository", f.repository},
                   {"key", f.key},
                   {"timeline", f.timeline},
                   {"segno", f.segno},
                   {"compression", f.compression},
                   {"size", f.size}});
  out["wal"] = wal;
  if (plan.unreachable) {
    const auto& u = *plan.unreachable;
    out["unreachable"] = {
        {"reason", to_string(u.reason)},
        {"message", u.message},
        {"missing", u.missing_name ? json(*u.missing_name) : json()},
        {"foreign_cluster", u.foreign_cluster ? json(*u.foreign_cluster) : json()},
        {"nearest", opt_point(u.nearest)}};
  } else {
    out["unreachable"] = json();
  }
  if (plan.transaction) {
    const auto& t = *plan.transaction;
    out["transaction"] = {{"xid", t.xid},
                          {"first_lsn", t.first_lsn.str()},
                          {"end_lsn", t.end_lsn.str()},
                          {"timeline", t.timeline},
                          {"time", t.time ? json(*t.time) : json()},
                          {"kind", t.kind}};
  }
  return out;
}

} // namespace lastgood::restore
