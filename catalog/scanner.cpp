#include "catalog/scanner.hpp"

#include "catalog/backup_builder.hpp"
#include "catalog/backup_membership.hpp"
#include "catalog/barman_backups.hpp"
#include "catalog/barman_wal_classify.hpp"
#include "catalog/crash_leftovers.hpp"
#include "catalog/object_reader.hpp"
#include "catalog/object_records.hpp"
#include "catalog/pgbackrest_backups.hpp"
#include "catalog/repository_format.hpp"
#include "catalog/scan_lock.hpp"
#include "catalog/work_queue.hpp"
#include "common/error.hpp"
#include "common/time.hpp"

#include <algorithm>
#include <spdlog/spdlog.h>
#include <thread>

namespace lastgood::catalog {

namespace {

using SteadyClock = std::chrono::steady_clock;

struct Job
{
  storage::ObjectInfo info;
  std::optional<KnownObject> previous;
};

struct Done
{
  ReadResult result;
  std::optional<KnownObject> previous;
};

// Commits in batches so a long scan never holds the catalog's write lock for
// long: other lastgood processes wait at most one batch.
class BatchedTransaction
{
public:
  explicit BatchedTransaction(Database& db) : m_db(db) {}
  ~BatchedTransaction()
  {
    if (m_tx) m_tx.reset(); // rolls back an unfinished batch on error
  }
  void touch()
  {
    if (!m_tx) {
      m_tx.emplace(m_db);
      m_started = SteadyClock::now();
      m_ops = 0;
    }
    if (++m_ops >= 5000 || SteadyClock::now() - m_started > std::chrono::milliseconds(500)) flush();
  }
  void flush()
  {
    if (m_tx) {
      m_tx->commit();
      m_tx.reset();
    }
  }

private:
  Database& m_db;
  std::optional<Transaction> m_tx;
  SteadyClock::time_point m_started;
  int m_ops = 0;
};

bool under_any(const std::string& key, const std::vector<std::string>& dirs)
{
  return std::any_of(dirs.begin(), dirs.end(), [&](const std::string& d) {
    return key == d || (key.size() > d.size() && key.starts_with(d) && key[d.size()] == '/');
  });
}

} // namespace

ScanSummary scan_repository(Database& db, const Repository& repository, storage::Storage& storage,
                            const ScanOptions& options)
{
  const auto started = SteadyClock::now();
  require_pgbackrest_passphrase(storage, repository, options.cipher_pass);
  // A second scan of the same repository waits, then finds the first one's work done.
  ScanLock lock(db, repository.id, [&] {
    spdlog::info("another lastgood process is scanning repository {}; waiting for it to finish",
                 repository.name);
  });
  const std::string now = format_rfc3339(now_seconds());
  ScanSummary summary;
  summary.repository = repository.name;
  // Before listing: a killed backup's partial dump is not an object, and is seen here, not skipped.
  LeftoverSweep sweep = sweep_repository_leftovers(db, repository, storage);
  sweep.add(sweep_local_leftovers(db));
  for (const auto& l : sweep.removed)
    summary.cleaned_up.push_back(l.kind + " " + l.path + " of dead process " +
                                 std::to_string(l.owner_pid));
  for (const auto& l : sweep.kept)
    if (l.kind == "temp file") summary.temp_files.push_back({l.path, l.note});
  db.prepare("INSERT INTO scans (repository_id, started_at) VALUES (?, ?)")
      .bind_all(repository.id, now)
      .run();
  summary.scan_id = db.last_insert_id();

  ObjectRecords records(db, repository.id, summary.scan_id, now);
  BatchedTransaction batch(db);
  ScanProgress progress;
  std::vector<std::string> unlistable; // keys whose listing failed: nothing under them is "missing"
  auto last_progress = SteadyClock::now();
  auto report_progress = [&](bool force) {
    if (!options.on_progress) return;
    auto t = SteadyClock::now();
    if (force || t - last_progress > std::chrono::milliseconds(200)) {
      options.on_progress(progress);
      last_progress = t;
    }
  };

  // An encrypted pgBackRest archive: its files are WAL by name, not "corrupt".
  const auto unreadable_archive = unreadable_pgbackrest_archive(storage, repository);
  // Barman's WAL is compressed without a suffix (catalog/barman_wal_classify).
  const bool barman = repository.format == repository_format::barman;
  auto read_one = [&](const storage::ObjectInfo& info) {
    auto result = read_and_classify(storage, info);
    if (unreadable_archive && info.key.starts_with(*unreadable_archive) &&
        result.read_error.empty())
      result.classification = classify_by_name_only(
          info.key, "encrypted pgBackRest archive: classified by name; the checksum level "
                    "decrypts it");
    if (barman && result.read_error.empty() && is_barman_wal_key(info.key)) {
      try {
        result.classification = classify_barman_wal(storage, info);
      } catch (const Error& e) {
        result.read_error = e.what();
      }
    }
    return result;
  };

  const unsigned jobs =
      options.jobs ? options.jobs : std::max(1u, std::thread::hardware_concurrency());
  WorkQueue<Job> to_read(jobs * 4);
  WorkQueue<Done> done;
  std::vector<std::jthread> readers;
  for (unsigned i = 0; i < jobs; ++i)
    readers.emplace_back([&] {
      while (auto job = to_read.pop())
        done.push(Done{read_one(job->info), job->previous});
    });
  // On any exception, readers must see the queue closed before they are joined.
  struct CloseOnExit
  {
    WorkQueue<Job>& queue;
    ~CloseOnExit() { queue.close(); }
  } close_on_exit{to_read};

  auto record = [&](Done d) {
    const auto& r = d.result;
    batch.touch();
    auto outcome = records.record(r, d.previous);
    ++progress.read;
    progress.bytes_read += r.bytes_read;
    summary.bytes_hashed += r.bytes_read;
    const bool metadata_changed =
        d.previous && (d.previous->size != r.info.size || d.previous->mtime_ns != r.info.mtime_ns ||
                       d.previous->etag != r.info.etag || d.previous->missing);
    if (!d.previous)
      ++summary.new_objects;
    else if (metadata_changed || outcome == RecordOutcome::Changed)
      ++summary.changed;
    else
      ++summary.unchanged;
    if (outcome == RecordOutcome::Changed) summary.content_changed.push_back(r.info.key);
    if (!r.read_error.empty())
      summary.problems.push_back({r.info.key, r.read_error});
    else if (!r.classification.problem.empty())
      summary.problems.push_back({r.info.key, r.classification.problem});
  };
  auto drain = [&] {
    while (auto d = done.try_pop())
      record(std::move(*d));
  };

  const auto latest_link = pgbackrest_latest_link_prefix(repository);
  storage.list(
      "",
      [&](const storage::ObjectInfo& info) {
        if (latest_link && info.key.starts_with(*latest_link)) return;
        ++progress.listed;
        auto known = records.find(info.key);
        const bool same = known && known->sha256 && !known->missing && known->size == info.size &&
                          known->mtime_ns == info.mtime_ns && known->etag == info.etag &&
                          !known->facts_outdated;
        if (same && !options.rehash) {
          batch.touch();
          records.mark_seen(*known);
          ++summary.unchanged;
        } else {
          ++progress.to_read;
          to_read.push(Job{info, known});
        }
        drain();
        report_progress(false);
      },
      [&](const storage::ListProblem& problem) {
        if (barman && is_barman_tablespace_link(problem.key)) return;
        unlistable.push_back(problem.key);
        summary.problems.push_back({problem.key, problem.message});
      });
  to_read.close();
  while (progress.read < progress.to_read) {
    if (auto d = done.pop()) record(std::move(*d));
    report_progress(false);
  }
  readers.clear();
  batch.flush();
  report_progress(true);

  Transaction tx(db);
  // Whatever was not seen in this scan has vanished, except under keys the
  // listing could not read (they may well still be there). Objects retention
  // deleted (deleted_at) are gone on purpose, not missing.
  auto unseen =
      db.prepare("SELECT id, key FROM objects WHERE repository_id = ? AND missing_since IS NULL"
                 " AND deleted_at IS NULL AND (last_scan_id IS NULL OR last_scan_id < ?)");
  unseen.bind_all(repository.id, summary.scan_id);
  auto mark_missing = db.prepare("UPDATE objects SET missing_since = ? WHERE id = ?");
  std::vector<std::int64_t> vanished;
  while (unseen.step())
    if (!under_any(unseen.text(1), unlistable)) vanished.push_back(unseen.int64(0));
  for (auto id : vanished)
    mark_missing.bind_all(now, id).run();
  summary.missing = vanished.size();

  // Backups are derived state: rebuilt whenever something changed in this scan,
  // and whenever an earlier one left objects outside their backup (killed after
  // committing object rows, or a file first unreadable and now read).
  if (summary.new_objects || summary.changed || summary.missing || options.rehash ||
      !objects_missing_from_backups(db, repository.id, 1).empty()) {
    auto built = build_backups(db, repository.id, now);
    summary.new_backups = built.new_backups;
  }
  // A pgBackRest repository's backups come from its info files, read every
  // scan (they are small): a damaged one is a problem of this scan.
  if (repository.format == repository_format::pgbackrest) {
    auto pgbackrest = catalog_pgbackrest_stanza(db, repository, storage, now, options.cipher_pass);
    summary.new_backups += pgbackrest.new_backups;
    summary.problems.insert(summary.problems.end(), pgbackrest.problems.begin(),
                            pgbackrest.problems.end());
  }
  if (barman) {
    auto found = catalog_barman_server(db, repository, storage, now);
    summary.new_backups += found.new_backups;
    summary.problems.insert(summary.problems.end(), found.problems.begin(), found.problems.end());
  }
  link_wal_facts(db, now);
  auto count =
      db.prepare("SELECT count(*) FROM backups WHERE repository_id = ? AND deleted_at IS NULL");
  count.bind(1, repository.id);
  count.step();
  summary.backups = static_cast<std::uint64_t>(count.int64(0));

  // Problems found earlier that are still there (the object is unchanged).
  auto standing =
      db.prepare("SELECT key, problem FROM objects WHERE repository_id = ? AND problem IS NOT NULL"
                 " AND missing_since IS NULL AND last_scan_id = ? ORDER BY key");
  standing.bind_all(repository.id, summary.scan_id);
  while (standing.step()) {
    auto key = standing.text(0);
    bool reported = std::any_of(summary.problems.begin(), summary.problems.end(),
                                [&](const ScanProblem& p) { return p.key == key; });
    if (!reported) summary.standing_problems.push_back({key, standing.text(1)});
  }

  summary.seconds = std::chrono::duration<double>(SteadyClock::now() - started).count();
  db.prepare("UPDATE scans SET finished_at = ?, objects_new = ?, objects_changed = ?, "
             "objects_unchanged = ?,"
             " objects_missing = ?, problems = ?, bytes_hashed = ? WHERE id = ?")
      .bind_all(format_rfc3339(now_seconds()), summary.new_objects, summary.changed,
                summary.unchanged, summary.missing,
                summary.problems.size() + summary.standing_problems.size(), summary.bytes_hashed,
                summary.scan_id)
      .run();
  tx.commit();
  return summary;
}

nlohmann::json to_json(const ScanSummary& s)
{
  auto problems = [](const std::vector<ScanProblem>& list) {
    nlohmann::json out = nlohmann::json::array();
    for (const auto& p : list)
      out.push_back({{"key", p.key}, {"problem", p.message}});
    return out;
  };
  return {{"repository", s.repository},
          {"scan_id", s.scan_id},
          {"new", s.new_objects},
          {"changed", s.changed},
          {"unchanged", s.unchanged},
          {"missing", s.missing},
          {"bytes_hashed", s.bytes_hashed},
          {"seconds", s.seconds},
          {"mb_per_second",
           s.seconds > 0 ? static_cast<double>(s.bytes_hashed) / 1e6 / s.seconds : 0.0},
          {"backups", s.backups},
          {"new_backups", s.new_backups},
          {"content_changed", s.content_changed},
          {"problems", problems(s.problems)},
          {"standing_problems", problems(s.standing_problems)},
          {"cleaned_up", s.cleaned_up},
          {"temp_files", problems(s.temp_files)}};
}

} // namespace lastgood::catalog
