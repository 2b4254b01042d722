#include "verifier/checksum_level.hpp"

#include "common/error.hpp"
#include "common/sha256.hpp"
#include "pg/backup_manifest.hpp"
#include "verifier/checksum_object.hpp"
#include "verifier/checksum_ranges.hpp"
#include "verifier/manifest_verifier.hpp"
#include "verifier/sha256_schedule.hpp"

#include <algorithm>
#include <atomic>
#include <cctype>
#include <exception>
#include <memory>
#include <optional>
#include <thread>
#include <unordered_map>

namespace lastgood::verifier {
namespace {

constexpr std::size_t kManifestLimit = std::size_t{1} << 30; // ~7 million files

// "base.tar.zst" -> "base"; nullopt if the name is not a tar pg_basebackup writes.
std::optional<std::string_view> tar_stem(std::string_view name)
{
  for (std::string_view suffix : {".tar", ".tar.gz", ".tgz", ".tar.zst", ".tar.lz4"})
    if (name.size() > suffix.size() && name.ends_with(suffix))
      return name.substr(0, name.size() - suffix.size());
  return std::nullopt;
}

bool all_digits(std::string_view text)
{
  return !text.empty() && std::all_of(text.begin(), text.end(), [](char c) {
    return std::isdigit(static_cast<unsigned char>(c)) != 0;
  });
}

// How a base backup's object feeds the manifest check.
void classify_for_manifest(ObjectJob& job, const std::string& prefix, bool tar_format)
{
  std::string_view relative = std::string_view(job.key).substr(prefix.size());
  if (!tar_format) {
    job.content = ObjectContent::DataFile;
    job.manifest_path = std::string(relative);
    return;
  }
  if (relative.find('/') != std::string_view::npos) return; // not pg_basebackup's output
  auto stem = tar_stem(relative);
  if (!stem) return;
  if (*stem == "base") {
    job.content = ObjectContent::BaseTar;
  } else if (all_digits(*stem)) {
    job.content = ObjectContent::TablespaceTar;
    job.manifest_path = "pg_tblspc/" + std::string(*stem);
  } // pg_wal.tar*: WAL, which the manifest does not list
}

// Reads backup_manifest whole (it is parsed whole), compares it with the
// catalog, and parses it; nullopt when it cannot serve as a reference.
std::optional<pg::BackupManifest> load_manifest(storage::Storage& storage, const ObjectJob& job,
                                                Findings& findings, ChecksumStats& stats)
{
  std::string text;
  Sha256 hash;
  try {
    auto source = storage.read(job.key);
    std::string chunk(256 * 1024, '\0');
    ++stats.objects;
    for (;;) {
      std::size_t n = source->read(std::as_writable_bytes(std::span(chunk)));
      if (n == 0) break;
      if (text.size() + n > kManifestLimit)
        throw StorageError("backup_manifest is larger than " + std::to_string(kManifestLimit) +
                           " bytes, too large to parse");
      text.append(chunk, 0, n);
      stats.bytes += n;
    }
    hash.update(text);
  } catch (const NotFoundError&) {
    findings.add(finding_kind::missing_object, Severity::Failure, job.key,
                 "'" + job.key +
                     "' is listed in the catalog but is gone from storage, so the backup's files "
                     "were checked against the catalog only; restore it from another copy of "
                     "the backup",
                 nullptr);
    return std::nullopt;
  } catch (const Error& e) {
    findings.add(finding_kind::unreadable_object, Severity::Error, job.key,
                 "'" + job.key + "' could not be read (" + e.what() +
                     "), so the backup's files were checked against the catalog only; fix "
                     "access to the repository and verify again",
                 {{"error", e.what()}});
    return std::nullopt;
  }
  compare_with_catalog(job, text.size(), hash.hex_digest(), findings);
  try {
    auto manifest = pg::parse_backup_manifest(text);
    if (manifest.manifest_checksum_ok) return manifest;
    findings.add(finding_kind::manifest_invalid, Severity::Failure, job.key,
                 "'" + job.key +
                     "' does not match its own Manifest-Checksum: it was altered after the "
                     "backup, so it cannot vouch for the files (they were checked against the "
                     "catalog only); restore backup_manifest from another copy or take a new "
                     "base backup",
                 {{"expected", manifest.manifest_checksum}});
  } catch (const ValidationError& e) {
    findings.add(finding_kind::manifest_invalid, Severity::Failure, job.key,
                 "'" + job.key + "' cannot be used: " + e.what() +
                     "; the files were checked against the catalog only; restore backup_manifest "
                     "from another copy or take a new base backup",
                 {{"error", e.what()}});
  }
  return std::nullopt;
}

// One unit of work: a whole object, or one block range of a large one.
struct Task
{
  std::size_t job = 0;
  std::int64_t block = -1; // -1: the whole object
};

// What each job came to, filled by whichever worker ran its tasks.
struct JobResults
{
  std::vector<ObjectOutcome> whole;              // per job (whole reads)
  std::vector<std::vector<BlockOutcome>> blocks; // per job (ranged reads)
};

// Runs the tasks (largest objects first) on `threads` workers.
void run_tasks(storage::Storage& storage, ManifestVerifier* manifest,
               const std::vector<ObjectJob>& work, const std::vector<Task>& tasks,
               const std::vector<bool>& crc_for, JobResults& results, unsigned threads)
{
  std::atomic<std::size_t> next{0};
  std::vector<std::exception_ptr> failures(threads);
  {
    std::vector<std::jthread> workers;
    for (unsigned t = 0; t < threads; ++t)
      workers.emplace_back([&, t] {
        try {
          ObjectChecker checker(storage, manifest);
          std::vector<std::byte> buffer(1 << 20);
          for (std::size_t i = next++; i < tasks.size(); i = next++) {
            const Task& task = tasks[i];
            if (task.block < 0)
              results.whole[task.job] = checker.check(work[task.job]);
            else
              results.blocks[task.job][static_cast<std::size_t>(task.block)] =
                  read_block(storage, work[task.job], static_cast<std::uint64_t>(task.block),
                             crc_for[task.job], buffer);
          }
        } catch (...) {
          failures[t] = std::current_exception();
          next = tasks.size(); // the others stop too
        }
      });
  }
  for (const auto& failure : failures)
    if (failure) std::rethrow_exception(failure);
}

} // namespace

std::string ChecksumStats::hash_used() const
{
  if (objects_xxh3 && objects_sha256) return "xxh3-128+sha256";
  if (objects_xxh3) return "xxh3-128";
  if (objects_sha256) return "sha256";
  return "";
}

Findings verify_checksums(storage::Storage& storage, const catalog::BackupRow& backup,
                          const std::vector<catalog::BackupObjectRow>& objects, unsigned jobs,
                          ChecksumStats* stats)
{
  ChecksumOptions options;
  options.jobs = jobs;
  return verify_checksums(storage, backup, objects, options, stats);
}

Findings verify_checksums(storage::Storage& storage, const catalog::BackupRow& backup,
                          const std::vector<catalog::BackupObjectRow>& objects,
                          const ChecksumOptions& options, ChecksumStats* stats)
{
  const bool base = backup.format == "base_plain" || backup.format == "base_tar";
  const bool tar_format = backup.format == "base_tar";
  const std::string prefix = backup.root_key.empty() ? "" : backup.root_key + "/";
  const std::string manifest_key = prefix + "backup_manifest";

  std::vector<ObjectJob> work;
  std::unordered_map<std::string, std::size_t> by_key;
  for (const auto& object : objects) {
    if (by_key.contains(object.key)) continue;
    by_key.emplace(object.key, work.size());
    const bool sha256 =
        options.cryptographic || sha256_due(object, options.sha256_every, options.now);
    work.push_back({object.key, object.size, object.sha256, true, ObjectContent::Opaque, "",
                    object.fast, sha256});
  }

  Findings findings;
  if (base) {
    // Files added since the scan still count for the manifest (pg_verifybackup
    // reads the directory, not a catalog).
    storage.list(
        prefix,
        [&](const storage::ObjectInfo& info) {
          if (by_key.contains(info.key)) return;
          by_key.emplace(info.key, work.size());
          work.push_back(
              {info.key, info.size, std::nullopt, false, ObjectContent::Opaque, "", {}, false});
        },
        [&](const storage::ListProblem& problem) {
          findings.add(finding_kind::unreadable_object, Severity::Error, problem.key,
                       "'" + problem.key + "' could not be listed (" + problem.message +
                           "), so what is under it was not verified; fix access to the "
                           "repository and verify again",
                       nullptr);
        });
  }

  ChecksumStats totals;
  std::unique_ptr<ManifestVerifier> manifest;
  if (base) {
    auto it = by_key.find(manifest_key);
    if (it == by_key.end()) {
      findings.add(finding_kind::manifest_invalid, Severity::Warning, manifest_key,
                   "base backup '" + backup.backup_id +
                       "' has no backup_manifest (PostgreSQL 12 or older, or taken with "
                       "--no-manifest), so its files were checked against the catalog only; "
                       "take base backups with a manifest to have every file verified",
                   nullptr);
    } else {
      if (auto parsed = load_manifest(storage, work[it->second], findings, totals))
        manifest = std::make_unique<ManifestVerifier>(std::move(*parsed), prefix);
      work.erase(work.begin() + static_cast<std::ptrdiff_t>(it->second));
    }
    if (manifest)
      for (auto& job : work)
        classify_for_manifest(job, prefix, tar_format);
  }

  auto checked = check_objects(storage, std::move(work), manifest.get(), options.jobs,
                               std::move(findings), totals);
  if (stats) *stats = totals;
  return checked;
}

Findings check_objects(storage::Storage& storage, std::vector<ObjectJob> work,
                       ManifestVerifier* manifest, unsigned jobs, Findings findings,
                       ChecksumStats& totals)
{
  std::stable_sort(work.begin(), work.end(), [](const ObjectJob& a, const ObjectJob& b) {
    return a.expected_size > b.expected_size;
  });
  // Large objects compared by XXH3 are read in block ranges, in parallel; a
  // data file's manifest check then joins the ranges' CRC-32C (or has none).
  std::vector<Task> tasks;
  JobResults results;
  results.whole.resize(work.size());
  results.blocks.resize(work.size());
  std::vector<bool> crc_for(work.size(), false);
  std::vector<std::optional<ManifestVerifier::FileCheck>> started(work.size());
  for (std::size_t j = 0; j < work.size(); ++j) {
    const ObjectJob& job = work[j];
    bool ranged = reads_in_ranges(job);
    if (ranged && manifest && job.content == ObjectContent::DataFile) {
      started[j].emplace(manifest->check_file(job.manifest_path, job.key));
      ranged = started[j]->combinable();
      crc_for[j] = started[j]->wants_crc32c();
    }
    if (!ranged) {
      tasks.push_back({j, -1});
      continue;
    }
    const std::uint64_t count = fast_block_count(job.expected_size);
    results.blocks[j].resize(count);
    for (std::uint64_t b = 0; b < count; ++b)
      tasks.push_back({j, static_cast<std::int64_t>(b)});
  }
  unsigned threads = jobs ? jobs : std::max(1u, std::thread::hardware_concurrency());
  threads = static_cast<unsigned>(std::clamp<std::size_t>(tasks.size(), 1, threads));
  run_tasks(storage, manifest, work, tasks, crc_for, results, threads);

  ObjectChecker fallback(storage, manifest);
  for (std::size_t j = 0; j < work.size(); ++j) {
    const ObjectJob& job = work[j];
    ObjectOutcome outcome;
    if (!results.blocks[j].empty() && blocks_complete(job, results.blocks[j])) {
      finish_ranged(job, results.blocks[j], started[j] ? &*started[j] : nullptr, outcome.findings);
      outcome.read = true;
      for (const auto& block : results.blocks[j])
        outcome.bytes_read += block.bytes;
    } else if (!results.blocks[j].empty()) {
      // A range could not be read or came back short: read it whole, which
      // says why (missing, unreadable, another size).
      for (const auto& block : results.blocks[j])
        totals.bytes += block.bytes;
      outcome = fallback.check(job, started[j] ? &*started[j] : nullptr);
    } else {
      outcome = std::move(results.whole[j]);
    }
    findings.append(outcome.findings);
    ++totals.objects;
    totals.bytes += outcome.bytes_read;
    if (!job.in_catalog || !outcome.read) continue;
    ++(job.use_sha256 || job.expected_fast.empty() ? totals.objects_sha256 : totals.objects_xxh3);
    if (!outcome.verified_sha256.empty())
      totals.verified.push_back({job.key, outcome.verified_sha256, std::move(outcome.fast)});
  }
  if (manifest) {
    findings.append(manifest->findings());
    totals.manifest_files = manifest->files_checked();
  }

  // Stable output: by object, whatever thread got there first.
  Findings sorted;
  std::vector<Finding> items = findings.items();
  std::stable_sort(items.begin(), items.end(),
                   [](const Finding& a, const Finding& b) { return a.subject < b.subject; });
  for (auto& item : items)
    sorted.add(std::move(item));
  return sorted;
}

} // namespace lastgood::verifier
