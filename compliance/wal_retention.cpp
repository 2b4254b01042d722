#include "compliance/wal_retention.hpp"

#include "pg/lsn.hpp"

#include <algorithm>
#include <map>
#include <set>

namespace lastgood::compliance {

namespace {

struct ClusterFloor
{
  std::optional<std::int64_t> start_lsn; // oldest start of a kept base backup
  std::string backup_id;                 // the backup it belongs to
  std::string blocked;                   // why nothing may go, if so
};

} // namespace

WalDecision decide_wal(const std::vector<BackupFacts>& backups,
                       const std::vector<BackupDecision>& decisions,
                       const std::vector<WalSegmentFacts>& wal, TimePoint now)
{
  WalDecision out;
  std::map<std::string, ClusterFloor> floors;
  std::string blocked_everywhere;
  for (std::size_t i = 0; i < backups.size(); ++i) {
    const auto& b = backups[i];
    if (b.kind != "physical" || !decisions[i].keep) continue;
    if (!b.system_identifier) {
      blocked_everywhere =
          "kept base backup " + b.backup_id + " has no known cluster, so no WAL is deleted";
      continue;
    }
    auto& floor = floors[*b.system_identifier];
    if (!b.start_lsn) {
      floor.blocked = "kept base backup " + b.backup_id +
                      " has no known start LSN, so none of its cluster's WAL is deleted";
      continue;
    }
    if (!floor.start_lsn || *b.start_lsn < *floor.start_lsn) {
      floor.start_lsn = b.start_lsn;
      floor.backup_id = b.backup_id;
    }
  }
  if (!blocked_everywhere.empty()) out.notes.push_back(blocked_everywhere);

  std::vector<std::size_t> deletable;
  std::set<std::string> without_backup;
  std::map<std::string, std::size_t> locked;
  for (std::size_t i = 0; i < wal.size(); ++i) {
    const auto& s = wal[i];
    if (!blocked_everywhere.empty() || !s.system_identifier || !s.repository_active) continue;
    auto it = floors.find(*s.system_identifier);
    if (it == floors.end()) {
      without_backup.insert(*s.system_identifier);
      continue;
    }
    const auto& floor = it->second;
    if (!floor.blocked.empty() || !floor.start_lsn) continue;
    // Needed when any byte of it is at or after the floor.
    if ((s.segno + 1) * s.segment_size > static_cast<std::uint64_t>(*floor.start_lsn)) continue;
    if (s.retain_until && *s.retain_until > now) {
      ++locked[*s.system_identifier];
      continue;
    }
    deletable.push_back(i);
  }
  for (const auto& [sysid, floor] : floors) {
    if (!floor.blocked.empty())
      out.notes.push_back("cluster " + sysid + ": " + floor.blocked);
    else if (floor.start_lsn)
      out.notes.push_back("cluster " + sysid + ": WAL from " +
                          pg::Lsn{static_cast<std::uint64_t>(*floor.start_lsn)}.str() +
                          " on is kept (start of the oldest kept base backup, " + floor.backup_id +
                          ")");
  }
  for (const auto& sysid : without_backup)
    out.notes.push_back("cluster " + sysid +
                        ": no base backup is kept, so none of its WAL is deleted");
  for (const auto& [sysid, count] : locked)
    out.notes.push_back("cluster " + sysid + ": " + std::to_string(count) +
                        " old WAL segments are kept because their storage lock has not expired");

  std::sort(deletable.begin(), deletable.end(), [&](std::size_t a, std::size_t b) {
    const auto& x = wal[a];
    const auto& y = wal[b];
    return std::tie(x.repository, *x.system_identifier, x.timeline, x.segno, x.partial, x.key) <
           std::tie(y.repository, *y.system_identifier, y.timeline, y.segno, y.partial, y.key);
  });
  for (auto i : deletable) {
    const auto& s = wal[i];
    WalRange* range = out.delete_ranges.empty() ? nullptr : &out.delete_ranges.back();
    const bool continues = range && range->repository == s.repository &&
                           range->system_identifier == *s.system_identifier &&
                           range->timeline == s.timeline &&
                           (s.segno == wal[range->segments.back()].segno ||
                            s.segno == wal[range->segments.back()].segno + 1);
    if (!continues) {
      out.delete_ranges.push_back(
          {s.repository, *s.system_identifier, s.timeline, s.name, s.name, {}, 0});
      range = &out.delete_ranges.back();
    }
    range->segments.push_back(i);
    range->last = s.name;
    range->bytes += s.size;
  }
  return out;
}

} // namespace lastgood::compliance
