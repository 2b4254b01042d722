#pragma once
// The WAL a pgBackRest backup needs to become consistent: every segment from
// the manifest's archive-start to archive-stop (across a timeline switch
// inside the range) is in the stanza's archive, decompresses to a whole
// segment whose SHA-1 is the one in its name, and whose first page header
// names this cluster, a timeline not newer than its name's and its own
// position. pgbackrest verify leaves this check out.

#include "formats/pgbackrest/archive_info.hpp"
#include "formats/pgbackrest/manifest.hpp"
#include "storage/storage.hpp"
#include "verifier/finding.hpp"

#include <cstdint>
#include <string>

namespace lastgood::verifier {

// fallback_segment_size: used when the first segment of the range cannot be read.
Findings check_pgbackrest_wal_range(storage::Storage& repo, const std::string& stanza,
                                    const formats::pgbackrest::ArchiveInfo& archive,
                                    const formats::pgbackrest::Manifest& manifest,
                                    std::uint64_t fallback_segment_size);

} // namespace lastgood::verifier
