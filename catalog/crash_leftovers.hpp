#pragma once
// What a killed run leaves behind outside the catalog: temporary files of
// unfinished writes in file repositories (a partial dump or safety snapshot),
// "lastgood-<kind>-<pid>-*" directories in $TMPDIR (a directory dump, a local
// copy, decompressed WAL) and private scratch clusters. Every run that writes
// sweeps them first: what belongs to a dead process of this machine is
// removed, each with an audit row written before; nothing a live process (or
// another machine) owns is touched.

#include "catalog/database.hpp"
#include "catalog/repositories.hpp"
#include "storage/storage.hpp"

#include <cstdint>
#include <string>
#include <sys/types.h>
#include <vector>

namespace lastgood::catalog {

struct Leftover
{
  std::string kind;  // "temp file", "temp directory", "scratch cluster", "multipart upload"
  std::string where; // the repository's name, or "$TMPDIR"
  std::string path;  // key-relative in a repository, absolute elsewhere
  std::uint64_t bytes = 0;
  pid_t owner_pid = 0; // 0: not recorded (an older version's temp file)
  std::string note;    // why it was kept (empty for removed ones)
};

struct LeftoverSweep
{
  std::vector<Leftover> removed;
  std::vector<Leftover> kept;
  void add(LeftoverSweep other);
};

// Temporary files in one file repository; in an S3 repository, the multipart
// uploads killed runs left open (catalog/s3_upload_leftovers.hpp).
LeftoverSweep sweep_repository_leftovers(Database& db, const Repository& repository,
                                         storage::Storage& storage);

// Owned directories in $TMPDIR and scratch clusters of dead owners.
LeftoverSweep sweep_local_leftovers(Database& db);

// Both, for every registered repository (one that cannot be opened is
// skipped: the command's own work reports it).
LeftoverSweep sweep_crash_leftovers(Database& db);

} // namespace lastgood::catalog
