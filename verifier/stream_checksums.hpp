#pragma once
// A test restore that streams a dump from object storage hashes (SHA-256)
// every byte it reads; when it read every object of the backup to its end,
// that is the run's checksum evidence and no separate checksum read is made.
// A mismatch found this way is a checksum_mismatch Failure, as the checksum
// level would report it; an object not read to its end leaves the bytes
// unknown (an Error), never a pass.

#include "catalog/backup_queries.hpp"
#include "catalog/verified_hashes.hpp"
#include "storage/storage.hpp"
#include "verifier/dump_feed.hpp"
#include "verifier/finding.hpp"

#include <vector>

namespace lastgood::verifier {

// Whether a test restore of `backup` at level restore reads all its bytes
// through a stream (a custom/plain dump streamed whole, or a directory dump
// streamed member by member). LASTGOOD_VERIFY_READ_TWICE=1 turns this off.
bool restore_stream_reads_all(storage::Storage& storage, const catalog::BackupRow& backup,
                              const std::vector<catalog::BackupObjectRow>& objects,
                              unsigned restore_jobs);

struct StreamChecksums
{
  Findings findings;
  // Read whole and equal to the catalog's SHA-256: recorded like the checksum level's.
  std::vector<catalog::VerifiedHash> verified;
  bool compared = false; // some cataloged SHA-256 was compared with the bytes
};

// `streamed`: what the restore read; `objects`: the backup's cataloged objects.
StreamChecksums stream_checksums(const std::vector<StreamedObject>& streamed,
                                 const std::vector<catalog::BackupObjectRow>& objects);

} // namespace lastgood::verifier
