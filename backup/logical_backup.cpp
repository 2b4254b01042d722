#include "backup/logical_backup.hpp"

#include "backup/backup_key.hpp"
#include "backup/dump_connection.hpp"
#include "backup/dump_to_storage.hpp"
#include "catalog/audit.hpp"
#include "catalog/backup_details.hpp"
#include "catalog/crash_leftovers.hpp"
#include "catalog/ingest.hpp"
#include "catalog/source_fingerprints.hpp"
#include "common/error.hpp"
#include "common/time.hpp"

#include <charconv>

namespace lastgood::backup {

int parse_compress_option(std::string_view text)
{
  if (text == "zstd") return 3;
  if (text.starts_with("zstd:")) {
    auto digits = text.substr(5);
    int level = 0;
    auto [end, ec] = std::from_chars(digits.data(), digits.data() + digits.size(), level);
    if (ec == std::errc() && end == digits.data() + digits.size() && level >= 1 && level <= 22)
      return level;
  }
  throw UsageError(
      "--compress " + std::string(text) +
      ": expected zstd or zstd:LEVEL (1-22); leave it out to keep pg_dump's own gzip compression");
}

BackupResult take_logical_backup(catalog::Database& db, const catalog::Repository& repository,
                                 storage::Storage& storage, const BackupRequest& request)
{
  const bool directory = request.format == DumpFormat::Directory;
  if (directory && request.zstd_level)
    throw UsageError(
        "--compress zstd works with --format custom only: a directory dump is compressed file by "
        "file "
        "by pg_dump itself (gzip; PostgreSQL 15's pg_dump has no zstd). Drop --compress, or use "
        "--format custom");
  BackupResult result;
  // A killed earlier backup left a partial temp file or a dump in $TMPDIR.
  for (const auto& l : catalog::sweep_crash_leftovers(db).removed)
    result.cleaned_up.push_back(l.kind + " " + l.path + " of dead process " +
                                std::to_string(l.owner_pid));
  auto connection = dump_connection(request.conninfo);
  // Held until the fingerprint is taken: pg_dump reads the same snapshot.
  std::optional<pg::HeldSnapshot> snapshot;
  if (request.fingerprint != pg::FingerprintMode::None) {
    snapshot.emplace(request.conninfo);
    connection.snapshot = snapshot->id();
  }
  result.repository = repository.name;
  result.database = current_database(request.conninfo);
  const auto system_identifier = server_system_identifier(request.conninfo);
  result.format = directory ? "directory" : "custom";

  const auto started = std::chrono::steady_clock::now();
  const TimePoint start = now_seconds();
  std::string key =
      backup_key(result.database, start, request.label, request.zstd_level.has_value());
  if (directory) key = key.substr(0, key.size() - std::string_view(".dump").size()) + ".dir";
  result.key = key;
  StoredDump dump;
  try {
    dump = directory ? dump_directory(storage, key, connection, result.database)
                     : dump_custom(storage, key, connection, result.database, request.zstd_level);
  } catch (const StorageError& e) {
    // The writers discard what they wrote; say so, and what comes next.
    throw StorageError(std::string(e.what()) + "\nthe backup of database '" + result.database +
                           "' was not taken: nothing was left at " + key +
                           " and nothing was cataloged; run the backup again once the repository "
                           "is fixed",
                       e.permanent());
  }
  std::optional<catalog::SourceFingerprint> fingerprint;
  if (snapshot) {
    // The dump is stored: a fingerprint that cannot be taken costs the backup
    // its strongest evidence, not its existence.
    try {
      fingerprint = catalog::SourceFingerprint{snapshot->fingerprint(request.fingerprint),
                                               format_rfc3339(now_seconds()), "backup"};
    } catch (const Error& e) {
      result.fingerprint = std::string("none: ") + e.what();
    }
    snapshot.reset();
  }
  result.seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
  result.start_time = format_rfc3339(start);
  result.stop_time = format_rfc3339(now_seconds());
  result.size = dump.size;
  result.sha256 = dump.sha256;
  result.objects = dump.objects.size();

  catalog::write_audit(db, "backup.taken", key, catalog::Severity::Info,
                       {{"repository", repository.name},
                        {"database", result.database},
                        {"source", catalog::source_label(repository.source)},
                        {"format", result.format},
                        {"size", result.size},
                        {"sha256", result.sha256},
                        {"objects", result.objects},
                        {"start_time", result.start_time},
                        {"stop_time", result.stop_time}});
  auto ingested = catalog::ingest_backup(db, repository, dump.objects, key, result.start_time,
                                         result.stop_time, system_identifier);
  result.system_identifier = system_identifier.value_or("");
  result.source = catalog::source_label(repository.source);
  result.backup_id = ingested.backup_id;
  result.problem = ingested.problem;
  if (auto compression = catalog::backup_compression(db, ingested.row_id))
    result.compression = *compression;
  if (fingerprint && ingested.row_id != 0) {
    catalog::record_source_fingerprint(db, ingested.row_id, *fingerprint);
    const auto& f = fingerprint->fingerprint;
    result.fingerprint = pg::to_string(f.mode) + " of " + std::to_string(f.tables.size()) +
                         " tables" + (f.wal_lsn.empty() ? "" : " at WAL " + f.wal_lsn);
  } else if (result.fingerprint.empty()) {
    result.fingerprint = "none (--fingerprint none)";
  }
  return result;
}

} // namespace lastgood::backup
