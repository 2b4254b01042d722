#pragma once
// `lastgood backup`: a logical backup with pg_dump, cataloged in the same run.
//
// Custom format streams: pg_dump -Fc writes to a pipe, read in fixed buffers,
// compressed with zstd (optional), hashed (SHA-256) and written to
// storage.write(key); no full temporary copy exists anywhere. The object is
// committed only when pg_dump exited 0 and everything was flushed, so a failed
// or interrupted backup leaves nothing that looks like a good one.
//
// Directory format (pg_dump -Fd) needs a directory: it is dumped into a private
// temporary directory (local temp space as large as the dump, in $TMPDIR),
// then each file is streamed into the repository under "<...>.dir/", toc.dat
// last, so the directory only becomes a backup once every file is there.

#include "catalog/database.hpp"
#include "catalog/repositories.hpp"
#include "pg/table_fingerprint.hpp"
#include "storage/storage.hpp"

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace lastgood::backup {

enum class DumpFormat { Custom, Directory };

struct BackupRequest
{
  std::string conninfo; // libpq connection string or URI (may hold a password)
  DumpFormat format = DumpFormat::Custom;
  std::optional<int> zstd_level; // set: compress the archive with zstd at this level
  std::string label;             // goes into the key, reduced to [a-z0-9-]
  // Taken in the snapshot pg_dump uses and stored with the backup; test
  // restores compare against it.
  pg::FingerprintMode fingerprint = pg::FingerprintMode::Counts;
};

struct BackupResult
{
  std::string backup_id;
  std::string repository;
  std::string key; // the dump file, or the directory for --format directory
  std::string database;
  std::string source;            // the repository's source, or "default"
  std::string system_identifier; // of the dumped server; empty when it would not say
  std::string format;            // custom | directory
  std::string compression;       // as cataloged, e.g. "zstd (outer) + none"
  std::uint64_t size = 0;        // stored bytes (all files of a directory dump)
  std::string sha256;            // of the stored file; of toc.dat for a directory dump
  std::size_t objects = 0;
  std::string start_time, stop_time; // RFC 3339
  double seconds = 0;
  std::string problem;                 // what cataloging found wrong with it; empty when fine
  std::vector<std::string> cleaned_up; // leftovers of killed runs removed first
  std::string fingerprint;             // "counts of 12 tables at WAL 0/3000060", or why none
};

// "zstd" -> 3, "zstd:9" -> 9. Throws UsageError otherwise.
int parse_compress_option(std::string_view text);

// Takes the backup, stores it, catalogs it and writes an audit row
// (backup.taken). Throws UsageError for impossible requests, Error (with
// pg_dump's stderr tail, redacted) when the backup could not be taken.
BackupResult take_logical_backup(catalog::Database& db, const catalog::Repository& repository,
                                 storage::Storage& storage, const BackupRequest& request);

} // namespace lastgood::backup
