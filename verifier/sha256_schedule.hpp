#pragma once
// When a checksum-level read recomputes an object's SHA-256 instead of only
// comparing its XXH3-128: `[verify] sha256_every` apart at most, spread so
// that objects cataloged together do not all come due in the same run.

#include "catalog/backup_queries.hpp"
#include "common/time.hpp"

#include <chrono>

namespace lastgood::verifier {

// True when the object has no fast hash to compare with, or its SHA-256 was
// never recomputed, or was last recomputed longer ago than its own share of
// sha256_every: between half and all of it, fixed per key (so each run takes
// an even slice of the objects cataloged at one moment).
bool sha256_due(const catalog::BackupObjectRow& object, std::chrono::seconds sha256_every,
                TimePoint now);

} // namespace lastgood::verifier
