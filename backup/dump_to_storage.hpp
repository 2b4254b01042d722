#pragma once
// Running pg_dump into a repository (used by take_logical_backup): the custom
// format streamed through a pipe, the directory format via a local temp dir.

#include "backup/dump_connection.hpp"
#include "catalog/ingest.hpp"
#include "storage/storage.hpp"

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace lastgood::backup {

struct StoredDump
{
  std::vector<catalog::IngestObject> objects; // committed
  std::uint64_t size = 0;
  std::string sha256; // the archive's; toc.dat's for a directory dump
};

// pg_dump -Fc → [zstd] → SHA-256 → storage.write(key). Commits only when
// pg_dump exited 0; throws Error with pg_dump's stderr tail otherwise.
StoredDump dump_custom(storage::Storage& storage, const std::string& key,
                       const DumpConnection& connection, const std::string& database,
                       std::optional<int> zstd_level);

// pg_dump -Fd into a private temp dir, then every file into "<dir_key>/...",
// toc.dat last. On failure, files already stored are removed again.
StoredDump dump_directory(storage::Storage& storage, const std::string& dir_key,
                          const DumpConnection& connection, const std::string& database);

} // namespace lastgood::backup
