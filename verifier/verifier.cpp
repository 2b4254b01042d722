#include "verifier/verifier.hpp"

#include "catalog/cluster_wal_facts.hpp"
#include "catalog/crash_leftovers.hpp"
#include "catalog/lease_heartbeat.hpp"
#include "catalog/repositories.hpp"
#include "catalog/repository_format.hpp"
#include "catalog/retention_deletions.hpp"
#include "catalog/source_fingerprints.hpp"
#include "catalog/verified_hashes.hpp"
#include "common/error.hpp"
#include "common/time.hpp"
#include "pg/scratch_cluster.hpp"
#include "verifier/barman_levels.hpp"
#include "verifier/checksum_level.hpp"
#include "verifier/directory_feed.hpp"
#include "verifier/dump_feed.hpp"
#include "verifier/fair_order.hpp"
#include "verifier/fingerprint_drill.hpp"
#include "verifier/local_copy.hpp"
#include "verifier/object_access.hpp"
#include "verifier/pgbackrest_levels.hpp"
#include "verifier/physical_restore_level.hpp"
#include "verifier/restore_level.hpp"
#include "verifier/scratch_server.hpp"
#include "verifier/stream_checksums.hpp"
#include "verifier/structure_level.hpp"

#include <algorithm>
#include <chrono>

namespace lastgood::verifier {

namespace {

namespace fk = finding_kind;

std::vector<catalog::FindingRecord> to_records(const std::vector<Finding>& findings)
{
  std::vector<catalog::FindingRecord> out;
  for (const auto& f : findings)
    out.push_back({f.kind, std::string(to_string(f.severity)), f.subject, f.message, f.detail});
  return out;
}

std::string holder()
{
  return catalog::this_process();
}

// Drops the scratch database however the restore ends.
class ScratchDatabase
{
public:
  ScratchDatabase(ScratchServer& server, std::string name)
      : m_server(server), m_name(std::move(name))
  {
    m_server.create_database(m_name);
  }
  ~ScratchDatabase()
  {
    try {
      m_server.drop_database(m_name);
    } catch (const std::exception&) {
      // The next run's clean_up_after_crashes() drops it: the run is over by then.
    }
  }
  const std::string& name() const { return m_name; }

private:
  ScratchServer& m_server;
  std::string m_name;
};

StructureContext structure_context(catalog::Database& db, const catalog::BackupRow& backup)
{
  StructureContext context;
  if (!backup.system_identifier) return context;
  if (auto size = catalog::cluster_wal_segment_size(db, *backup.system_identifier))
    context.wal_segment_size = *size;
  const std::string sysid = *backup.system_identifier;
  context.archived_segment = [&db, sysid](std::uint32_t timeline, std::uint64_t segno) {
    return catalog::whole_segment_archived(db, sysid, timeline, segno);
  };
  return context;
}

} // namespace

Verifier::Verifier(catalog::Database& db, VerifyConfig config, std::string scratch_spec,
                   unsigned jobs, std::int64_t watermark)
    : m_db(db), m_config(std::move(config)), m_scratch_spec(std::move(scratch_spec)),
      m_jobs(jobs ? jobs : 1),
      m_watermark(watermark >= 0 ? watermark : catalog::verification_watermark(db)),
      m_planned_at(format_rfc3339(now_seconds()))
{
  m_scratch_flag = m_scratch_spec.empty() ? "verify.scratch in the configuration" : "--scratch";
  if (m_scratch_spec.empty()) m_scratch_spec = m_config.scratch;
}

Verifier::~Verifier() = default;

storage::Storage& Verifier::storage_for(const std::string& repository)
{
  auto& slot = m_storages[repository];
  if (!slot) {
    auto repo = catalog::find_repository(m_db, repository);
    if (!repo)
      throw UsageError("repository '" + repository +
                       "' is no longer registered; add it again to verify its backups");
    slot = storage::open_storage(repo->url);
  }
  return *slot;
}

ScratchServer& Verifier::scratch()
{
  if (!m_scratch)
    m_scratch = std::make_unique<ScratchServer>(m_scratch_spec, m_config.run_as, m_scratch_flag);
  return *m_scratch;
}

std::vector<std::string> Verifier::sweep_leftovers()
{
  std::vector<std::string> removed;
  if (m_swept) return removed;
  m_swept = true;
  for (const auto& l : catalog::sweep_crash_leftovers(m_db).removed)
    removed.push_back(l.kind + " " + (l.where == "$TMPDIR" ? l.path : l.where + ":" + l.path) +
                      " of dead process " + std::to_string(l.owner_pid));
  return removed;
}

std::vector<std::string> Verifier::clean_up_after_crashes()
{
  std::vector<std::string> removed = sweep_leftovers();
  if (m_cleaned_up) return removed;
  m_cleaned_up = true;
  for (const auto& run : catalog::reap_interrupted_runs(m_db))
    removed.push_back("run " + std::to_string(run.id) + " marked interrupted");
  for (const auto& name : drop_abandoned_scratch_databases())
    removed.push_back("scratch database " + name);
  return removed;
}

std::vector<std::string> Verifier::drop_abandoned_scratch_databases()
{
  if (m_scratch_spec == "auto") return {}; // a new private cluster holds no leftovers
  return scratch().drop_abandoned(
      [&](std::int64_t run_id) { return catalog::scratch_database_is_abandoned(m_db, run_id); });
}

Findings Verifier::check_bytes(storage::Storage& storage, const catalog::BackupRow& backup,
                               const std::vector<catalog::BackupObjectRow>& objects,
                               std::int64_t run_id, VerifyReport& report)
{
  ChecksumOptions options;
  options.jobs = m_jobs;
  options.cryptographic = m_cryptographic;
  options.sha256_every = m_config.sha256_every;
  ChecksumStats stats;
  // A Barman backup has its own layout (verifier/barman_levels), the same hashes.
  Findings findings = backup.format == "barman"
                          ? verify_barman_checksums(storage, backup, objects, options, &stats)
                          : verify_checksums(storage, backup, objects, options, &stats);
  catalog::record_verified_hashes(m_db, backup.id, stats.verified, format_rfc3339(now_seconds()));
  report.checksum_hash = stats.hash_used();
  if (!report.checksum_hash.empty()) {
    catalog::set_run_checksum_hash(m_db, run_id, report.checksum_hash);
    if (stats.objects_xxh3)
      report.notes.push_back(
          "bytes compared by XXH3-128 for " + std::to_string(stats.objects_xxh3) +
          " object(s) and " + "SHA-256 for " + std::to_string(stats.objects_sha256) +
          ": XXH3-128 finds damage but is not tamper-evident; SHA-256 is recomputed every "
          "verify.sha256_every or with --cryptographic");
  }
  return findings;
}

Findings Verifier::run_levels(const catalog::BackupRow& backup, Level level, std::int64_t run_id,
                              VerifyReport& report)
{
  Findings findings;
  auto& storage = storage_for(backup.repository);
  const auto objects = catalog::backup_objects(m_db, backup.id);
  // A Barman backup has its own layout and WAL archive (verifier/barman_levels).
  const bool barman = backup.format == "barman";
  // A test restore that streams every byte of the dump compares them with the
  // catalog on the way: the bytes are read once.
  const bool bytes_in_restore =
      level == Level::Restore && !barman &&
      backup.format != catalog::repository_format::pgbackrest &&
      restore_stream_reads_all(storage, backup, objects, m_parallel_restore ? m_jobs : 1);
  if (!bytes_in_restore) findings.append(check_bytes(storage, backup, objects, run_id, report));
  if (level == Level::Checksum) return findings;
  if (barman) {
    findings.append(verify_barman_structure(storage, backup));
  } else if (backup.format == catalog::repository_format::pgbackrest) {
    findings.append(verify_pgbackrest_structure(storage, backup,
                                                structure_context(m_db, backup).wal_segment_size,
                                                level == Level::Structure, cipher_pass(backup)));
  } else {
    auto context = structure_context(m_db, backup);
    context.read_all_data = level == Level::Structure;
    findings.append(verify_structure(storage, backup, objects, context));
  }
  if (level == Level::Structure) return findings;
  if (findings.any(Severity::Failure) || findings.any(Severity::Error)) {
    // Damaged bytes and a damaged dump look alike to pg_restore --list: the
    // checksum read the restore would have made tells them apart.
    if (bytes_in_restore) findings.append(check_bytes(storage, backup, objects, run_id, report));
    report.notes.push_back("test restore skipped: the checks above already failed");
    return findings;
  }
  if (backup.kind == "physical") {
    PhysicalRestoreRequest request;
    if (level == Level::Pitr) request.target_time = m_target_time;
    request.jobs = m_jobs;
    request.config_path = m_config_path;
    if (backup.format == catalog::repository_format::pgbackrest) {
      const auto passphrase = cipher_pass(backup);
      if (passphrase)
        request.server_environment = {{cipher_pass_variable(backup.repository), *passphrase}};
      request.materialise = [&storage, &backup, passphrase](const ExtractOptions& options) {
        return materialise_pgbackrest_backup(storage, backup, options.data_dir, options.owner,
                                             passphrase);
      };
    }
    if (barman)
      request.materialise = [&](const ExtractOptions& options) {
        return materialise_barman_backup(storage, backup, options);
      };
    const auto drill = plan_fingerprint_drill(m_db, backup, request.target_time.has_value());
    std::optional<FingerprintComparison> compared;
    if (drill.source) {
      request.target_lsn = drill.target_lsn;
      // A logical slot's consistent_point is the end of the RUNNING_XACTS
      // record that made its snapshot consistent: the snapshot holds exactly
      // the commits whose records start before it. Not inclusive stops before
      // the first record starting at or after it; inclusive would replay that
      // record too, which may be a commit the snapshot lacks. Measured (1 and
      // 4 sessions committing, 18 points): not inclusive reproduced every
      // snapshot; inclusive did too only because that record was never a commit.
      request.target_inclusive = false;
      request.inspect = [&](pg::ScratchCluster& cluster) {
        compared = compare_recovered(drill, cluster, backup);
      };
    } else if (!drill.note.empty()) {
      report.notes.push_back(drill.note);
    }
    auto restored =
        restore_base_backup_and_check(m_db, storage, backup, objects, request, m_config);
    findings.append(restored.findings);
    report.row_counts = std::move(restored.row_counts);
    report.recovery_point = std::move(restored.recovery_point);
    // Kept with the run (its recovery point) so `show`/history say whether
    // the source fingerprint was compared, and why not.
    if (compared) {
      findings.append(compared->findings);
      if (!compared->note.empty()) report.notes.push_back(compared->note);
      if (compared->match) catalog::set_run_source_match(m_db, run_id, *compared->match);
      report.recovery_point["source_fingerprint"] =
          "compared at WAL " + drill.target_lsn +
          (compared->match ? ": identical" : ": differs (see the findings)");
    } else if (drill.source) {
      report.recovery_point["source_fingerprint"] = "not compared: the cluster recovered to WAL " +
                                                    drill.target_lsn +
                                                    " was not reached (see the findings)";
    } else if (!drill.note.empty()) {
      report.recovery_point["source_fingerprint"] = drill.note;
    }
    if (!report.recovery_point.is_null() && !report.recovery_point.empty())
      catalog::set_run_recovery_point(m_db, run_id, report.recovery_point.dump());
    return findings;
  }
  return restore_dump(storage, backup, objects, run_id, report, bytes_in_restore);
}

Findings Verifier::restore_dump(storage::Storage& storage, const catalog::BackupRow& backup,
                                const std::vector<catalog::BackupObjectRow>& objects,
                                std::int64_t run_id, VerifyReport& report, bool bytes_in_restore)
{
  Findings findings;
  clean_up_after_crashes();
  // A custom or plain dump on object storage streams into the tool; the rest
  // is read in place or copied (parallel pg_restore seeks in the file).
  std::optional<LocalCopy> copy;
  std::optional<DumpFeed> feed;
  std::optional<DirectoryFeed> members; // a directory dump: data members as FIFOs
  const unsigned restore_jobs = m_parallel_restore ? m_jobs : 1;
  const bool stream = streams_dump(storage, backup, restore_jobs) && objects.size() == 1;
  if (auto note = local_copy_note(storage, backup, restore_jobs)) report.notes.push_back(*note);
  if (streams_directory_dump(storage, backup)) {
    members.emplace(storage, backup, objects);
    if (!members->toc_findings().items().empty()) {
      // A TOC unlike the cataloged one (or cut): nothing to restore.
      findings.append(members->finish(storage));
      return findings;
    }
    report.notes.push_back(members->note());
  } else if (!stream) {
    copy.emplace(storage, backup, objects);
  }
  ScratchDatabase database(scratch(), kScratchPrefix + std::to_string(run_id));
  catalog::set_run_scratch_database(m_db, run_id, database.name());
  RestoreRequest request{
      copy      ? copy->path()
      : members ? members->path()
                : std::string(),
      database.name(),
      m_jobs,
      catalog::previous_passing_row_counts(m_db, backup.database.value_or(""), run_id),
      {}};
  if (auto source = catalog::source_fingerprint(m_db, backup.id))
    request.source_fingerprint = source->fingerprint;
  if (stream) {
    feed.emplace(storage, backup, objects.front(), DumpFeed::Options{});
    request.dump_stdin = feed->tool_stdin();
  }
  if (stream || members)
    request.finish_input = [&] {
      std::vector<StreamedObject> streamed;
      Findings input;
      if (feed) {
        streamed.push_back({objects.front(), feed->finish()});
        input = feed_findings(objects.front(), streamed.back().outcome);
      } else {
        input = members->finish(storage, bytes_in_restore);
        streamed = members->streamed();
      }
      if (!bytes_in_restore) return input;
      auto sums = stream_checksums(streamed, objects);
      catalog::record_verified_hashes(m_db, backup.id, sums.verified,
                                      format_rfc3339(now_seconds()));
      if (sums.compared) {
        report.checksum_hash = "sha256";
        catalog::set_run_checksum_hash(m_db, run_id, report.checksum_hash);
        report.notes.push_back(
            "bytes compared by SHA-256 while streaming them into the test restore (one read of " +
            std::to_string(streamed.size()) + " object(s))");
      }
      return sums.findings;
    };
  auto restored = restore_and_check(backup, request, scratch(), m_config);
  findings.append(restored.findings);
  report.row_counts = std::move(restored.row_counts);
  if (!restored.fingerprint_note.empty()) report.notes.push_back(restored.fingerprint_note);
  if (restored.source_match) catalog::set_run_source_match(m_db, run_id, *restored.source_match);
  return findings;
}

std::optional<std::string> Verifier::cipher_pass(const catalog::BackupRow& backup) const
{
  return m_cipher_pass ? m_cipher_pass(backup.repository) : std::nullopt;
}

std::optional<Finding> Verifier::deleted_while_read(const catalog::BackupRow& backup,
                                                    const Findings& findings)
{
  const auto& items = findings.items();
  if (std::none_of(items.begin(), items.end(),
                   [](const Finding& f) { return f.kind == fk::missing_object; }))
    return std::nullopt;
  const auto deleted = catalog::retention_deleted_since(m_db, backup.backup_id, m_planned_at);
  if (!deleted) return std::nullopt;
  return Finding{fk::backup_deleted, Severity::Warning, backup.root_key,
                 "retention apply deleted backup " + backup.backup_id + " at " + deleted->at +
                     " (audit row " + std::to_string(deleted->audit_id) +
                     ") while it was being verified: nothing was checked, and its missing "
                     "objects are not damage",
                 nullptr};
}

VerifyReport Verifier::verify(const catalog::BackupRow& backup, Level level,
                              const std::string& trigger)
{
  VerifyReport report;
  report.backup_id = backup.backup_id;
  report.level = level;
  if (level == Level::Pitr && (backup.kind != "physical" || m_target_time.empty()))
    throw UsageError(backup.kind != "physical" ? "--level pitr recovers base backups; " +
                                                     backup.backup_id + " is a logical dump"
                                               : "--level pitr needs --target-time TIME");
  if (level == Level::Restore && backup.format == "plain_cluster") {
    report.level = Level::Structure;
    report.notes.push_back(
        "pg_dumpall output is verified to the structure level (it recreates roles and every "
        "database, which a shared scratch server must not receive)");
  }
  const bool restores = report.level == Level::Restore || report.level == Level::Pitr;
  std::vector<std::string> covering = {"restore", "pitr"};
  if (report.level == Level::Pitr) covering = {"pitr"}; // a drill to its own target
  if (report.level != Level::Restore && report.level != Level::Pitr)
    covering.push_back("structure");
  if (report.level == Level::Checksum) covering.push_back("checksum");
  // Done by another worker since planning: seen with one read, before a lease
  // is asked for (checked again under the lease, below, with running runs).
  if (catalog::verified_and_ended_since(m_db, backup.id, m_watermark, covering)) {
    report.outcome = "skipped";
    report.notes.push_back("another verifier verified this backup meanwhile");
    return report;
  }
  catalog::LeaseRequest request;
  request.backup_row_id = backup.id;
  request.holder = holder();
  request.expiry = m_config.lease_expiry;
  request.source_key = source_server_key(backup);
  request.restores = restores;
  request.max_concurrent_restores_per_source = m_config.max_concurrent_per_source;
  const auto lease = catalog::acquire_lease(m_db, request);
  if (lease.capped) {
    report.outcome = "skipped";
    report.capped = true;
    report.notes.push_back(request.source_key + " already has " +
                           std::to_string(request.max_concurrent_restores_per_source) +
                           " test restore(s) running (verify.max_concurrent_per_source)");
    return report;
  }
  if (!lease.acquired) {
    report.outcome = "skipped";
    report.notes.push_back("another verifier (" + lease.held_by +
                           ") holds this backup's lease until " + lease.expires_at);
    return report;
  }
  if (lease.taken_from) {
    catalog::reap_interrupted_runs(m_db); // its run still says 'running'
    report.notes.push_back("took over the lease of " + *lease.taken_from +
                           ", a verifier on this host that no longer runs");
  }
  if (lease.expired_holder) {
    // Its run still says 'running' and its scratch database (on a shared
    // scratch server) is left: close the one, drop the other.
    if (lease.taken_run &&
        catalog::close_run_of_expired_lease(m_db, *lease.taken_run, *lease.expired_holder) &&
        restores)
      drop_abandoned_scratch_databases();
    report.notes.push_back("took over the lease of " + *lease.expired_holder +
                           ", whose heartbeat stopped (the lease expired)");
  }
  // Deleted by retention since it was planned: nothing left to check, and
  // no run row, so a second verifier that planned it too does not run again.
  if (const auto deleted = catalog::retention_deleted_since(m_db, backup.backup_id, m_planned_at)) {
    catalog::release_lease(m_db, backup.id, holder());
    report.outcome = "skipped";
    report.notes.push_back("retention apply deleted this backup at " + deleted->at +
                           " (audit row " + std::to_string(deleted->audit_id) +
                           "), after it was planned for verification");
    return report;
  }
  if (catalog::verified_since(m_db, backup.id, m_watermark, covering)) {
    catalog::release_lease(m_db, backup.id, holder());
    report.outcome = "skipped";
    report.notes.push_back("another verifier verified this backup meanwhile");
    return report;
  }
  const auto started = std::chrono::steady_clock::now();
  // Renewed from here until the run is recorded; the lease is released after.
  auto heartbeat = std::make_optional<catalog::LeaseHeartbeat>(m_db.location(), backup.id, holder(),
                                                               m_config.lease_expiry);
  // A base backup is restored into a private cluster of its own, whatever --scratch says.
  report.run_id = catalog::begin_run(
      m_db, backup.id, std::string(to_string(report.level)), trigger,
      !restores                   ? std::nullopt
      : backup.kind == "physical" ? std::optional<std::string>("private (restored base backup)")
                                  : std::optional(scratch().display()));
  catalog::attach_run_to_lease(m_db, backup.id, holder(), report.run_id);
  Findings findings;
  try {
    if (m_before_reading) m_before_reading(backup);
    findings = run_levels(backup, report.level, report.run_id, report);
  } catch (const NotFoundError& e) {
    findings.add(fk::missing_object, Severity::Failure, backup.root_key,
                 std::string(e.what()) +
                     ": the backup is incomplete; restore the object from another copy");
  } catch (const ObjectUnreadable& e) {
    findings.add(unreadable_finding(e.key(), e.reason()));
  } catch (const StorageError& e) {
    findings.add(unreadable_finding(backup.root_key, e.what()));
  } catch (const Error& e) {
    findings.add(fk::scratch_error, Severity::Error, backup.root_key, e.what());
  } catch (const std::exception& e) {
    findings.add(fk::scratch_error, Severity::Error, backup.root_key,
                 std::string("unexpected: ") + e.what());
  }
  report.findings = findings.items();
  report.outcome = findings.any(Severity::Failure) ? "fail"
                   : findings.any(Severity::Error) ? "error"
                                                   : "pass";
  std::string recorded_outcome = report.outcome;
  if (const auto deleted = deleted_while_read(backup, findings)) {
    // Not evidence of damage: retention removed the objects on purpose. The run
    // could not check anything, which the catalog calls `error`; it is not
    // counted as a problem (skipped) by verify's or run's exit code.
    report.findings = {*deleted};
    report.row_counts.clear();
    report.outcome = "skipped";
    report.notes.push_back(deleted->message);
    recorded_outcome = "error";
  }
  report.seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
  const bool lost = !heartbeat->still_held();
  heartbeat.reset();
  catalog::finish_run(m_db, report.run_id, recorded_outcome, report.seconds,
                      to_records(report.findings), report.row_counts);
  if (lost)
    report.notes.push_back("this verifier's lease expired while it worked (the catalog was "
                           "unreachable for longer than verify.lease_expiry) and was taken "
                           "over: its run was closed as interrupted");
  catalog::release_lease(m_db, backup.id, holder());
  return report;
}

nlohmann::json to_json(const VerifyReport& r)
{
  nlohmann::json findings = nlohmann::json::array(), counts = nlohmann::json::array();
  for (const auto& f : r.findings)
    findings.push_back(to_json(f));
  for (const auto& c : r.row_counts)
    counts.push_back({{"schema", c.schema_name}, {"table", c.table_name}, {"rows", c.row_count}});
  return {{"run", r.run_id},
          {"backup", r.backup_id},
          {"level", to_string(r.level)},
          {"outcome", r.outcome},
          {"seconds", r.seconds},
          {"findings", findings},
          {"row_counts", counts},
          {"notes", r.notes},
          {"recovery_point", r.recovery_point},
          {"checksum_hash",
           r.checksum_hash.empty() ? nlohmann::json() : nlohmann::json(r.checksum_hash)}};
}

} // namespace lastgood::verifier
