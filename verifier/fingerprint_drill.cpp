#include "verifier/fingerprint_drill.hpp"

#include "catalog/cluster_wal_facts.hpp"
#include "catalog/source_fingerprints.hpp"
#include "common/error.hpp"
#include "pg/lsn.hpp"
#include "pg/scratch_cluster.hpp"

namespace lastgood::verifier {

namespace fk = finding_kind;

namespace {

// The first segment the drill needs from the archive and is missing: every
// segment from the backup's stop to the one holding the target (a base
// backup's own pg_wal ends at its stop).
std::optional<std::string> missing_wal(catalog::Database& db, const catalog::BackupRow& backup,
                                       pg::Lsn target)
{
  const auto size = catalog::cluster_wal_segment_size(db, *backup.system_identifier);
  if (!size) return "the cluster's WAL archive is not cataloged";
  const auto timeline =
      static_cast<std::uint32_t>(backup.stop_timeline.value_or(backup.timeline.value_or(1)));
  const auto first = pg::segment_of(pg::Lsn{static_cast<std::uint64_t>(*backup.stop_lsn)}, *size);
  const auto last = pg::segment_of(target, *size);
  for (auto segno = first; segno <= last; ++segno)
    if (!catalog::whole_segment_archived(db, *backup.system_identifier, timeline, segno))
      return pg::wal_file_name(timeline, segno, *size);
  return std::nullopt;
}

} // namespace

FingerprintDrill plan_fingerprint_drill(catalog::Database& db, const catalog::BackupRow& backup,
                                        bool has_pitr_target_time)
{
  FingerprintDrill drill;
  auto recorded = catalog::source_fingerprint(db, backup.id);
  if (!recorded) return drill;
  const auto& f = recorded->fingerprint;
  const std::string what = "the source fingerprint of database " + f.database_name + " (WAL " +
                           (f.wal_lsn.empty() ? std::string("unknown") : f.wal_lsn) + ")";
  if (!f.exact_lsn) {
    drill.note = what + " was not compared: its WAL position is approximate (taken without a "
                        "logical replication slot), so recovery to it may replay commits it did "
                        "not count; it is no proof either way";
    return drill;
  }
  if (has_pitr_target_time) {
    drill.note = what + " was not compared: this drill recovers to its own --target-time";
    return drill;
  }
  const auto target = pg::Lsn::try_parse(f.wal_lsn);
  if (!target || f.database_name.empty() || !backup.system_identifier || !backup.stop_lsn) {
    drill.note = what + " was not compared: the backup's stop LSN or the fingerprint's database "
                        "is unknown";
    return drill;
  }
  if (target->value <= static_cast<std::uint64_t>(*backup.stop_lsn)) {
    drill.note = what + " was not compared: it was taken before the backup became consistent (" +
                 pg::Lsn{static_cast<std::uint64_t>(*backup.stop_lsn)}.str() +
                 "), a point recovery cannot stop at; take it after pg_basebackup ends";
    return drill;
  }
  if (auto missing = missing_wal(db, backup, *target)) {
    drill.note = what + " was not compared: the WAL archive does not reach it yet (" + *missing +
                 " missing); recovered to consistency instead";
    return drill;
  }
  drill.source = f;
  drill.target_lsn = f.wal_lsn;
  return drill;
}

FingerprintComparison compare_recovered(const FingerprintDrill& drill, pg::ScratchCluster& cluster,
                                        const catalog::BackupRow& backup)
{
  FingerprintComparison out;
  const auto& source = *drill.source;
  pg::DatabaseFingerprint restored;
  try {
    restored = pg::fingerprint_database(cluster.conninfo(source.database_name), source.mode);
  } catch (const Error& e) {
    const std::string message = e.what();
    if (message.find("does not exist") == std::string::npos) {
      out.findings.add(fk::scratch_error, Severity::Error, source.database_name,
                       "could not fingerprint database " + source.database_name +
                           " in the recovered cluster: " + message);
      return out;
    }
    out.findings.add(fk::fingerprint_mismatch, Severity::Failure, source.database_name,
                     "fingerprint_mismatch: database " + source.database_name +
                         " could not be read in the cluster recovered to " + drill.target_lsn +
                         " (" + e.what() + "); the source had it when its fingerprint was taken");
    return out;
  }
  const auto differences = pg::compare_fingerprints(source, restored);
  for (const auto& d : differences)
    out.findings.add(fk::fingerprint_mismatch, Severity::Failure,
                     source.database_name + "." + d.schema_name + "." + d.table_name,
                     "fingerprint_mismatch " + d.schema_name + "." + d.table_name + " (database " +
                         source.database_name + "): " + d.what + " after recovery to WAL " +
                         drill.target_lsn + " (backup " + backup.backup_id +
                         " and its WAL do not hold what the source held at that LSN)");
  if (differences.empty()) {
    out.match = catalog::SourceMatch{pg::to_string(source.mode),
                                     static_cast<std::int64_t>(source.tables.size())};
    out.note = "identical to the source at WAL " + drill.target_lsn + ": " +
               pg::to_string(source.mode) + " of " + std::to_string(source.tables.size()) +
               " tables of database " + source.database_name + " match";
  }
  return out;
}

} // namespace lastgood::verifier
