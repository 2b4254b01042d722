#pragma once
// Cataloging a backup that lastgood itself just wrote (`lastgood backup`):
// its objects' bytes were hashed while being written, so nothing is listed or
// read again. Records the objects exactly as a scan would (same rows, same
// classification), derives the backup, and stamps the exact start and stop
// times a scan cannot know. A later scan sees the objects as unchanged.

#include "catalog/database.hpp"
#include "catalog/repositories.hpp"
#include "common/fast_hash.hpp"
#include "storage/storage.hpp"

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace lastgood::catalog {

struct IngestObject
{
  storage::ObjectInfo info; // as storage.stat() reports it after commit
  std::string sha256;       // of the stored bytes
  FastDigest fast;          // XXH3-128 of the stored bytes and their blocks
  std::string head;         // the first min(size, kHeadBytes) stored bytes
  std::string tail;         // the last kTailBytes stored bytes
};

struct IngestedBackup
{
  std::int64_t row_id = 0;
  std::string backup_id; // e.g. 20261122T0200-shop-7f3a
  std::string problem;   // what classification found wrong; empty when fine
};

// In one transaction (with a one-object "scan" row so the objects carry a
// last_scan_id): records the objects, rebuilds the repository's backups, and
// sets start_time/stop_time (RFC 3339) on the backup at root_key, and the
// dumped server's system identifier when known (its cluster: which server a
// dump came from; a scan keeps it). Throws Error when the objects do not form
// a backup at root_key (nothing is recorded then).
IngestedBackup ingest_backup(Database& db, const Repository& repository,
                             const std::vector<IngestObject>& objects, const std::string& root_key,
                             const std::string& start_time, const std::string& stop_time,
                             const std::optional<std::string>& system_identifier = std::nullopt);

} // namespace lastgood::catalog
