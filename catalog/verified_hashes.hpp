#pragma once
// What a checksum-level read learned about objects, written back: the
// XXH3-128 digests an object cataloged before them gains at its first full
// SHA-256 read, and when its SHA-256 was last recomputed and found equal.
// And which hash a run compared bytes with, so reports can say so.

#include "catalog/database.hpp"
#include "common/fast_hash.hpp"

#include <cstdint>
#include <string>
#include <vector>

namespace lastgood::catalog {

struct VerifiedHash
{
  std::string key;    // objects.key (relative to the repository)
  std::string sha256; // recomputed from the bytes and equal to the catalog's
  FastDigest fast;    // computed on the same read; empty: keep the catalog's
};

// For objects of the backup (row id) whose catalog SHA-256 still equals
// `sha256`: sets sha256_checked to `now` (RFC 3339) and fills the XXH3-128
// digests. An object rewritten meanwhile (another SHA-256) is left alone.
void record_verified_hashes(Database& db, std::int64_t backup_row_id,
                            const std::vector<VerifiedHash>& verified, const std::string& now);

// The hash a run compared bytes with: "xxh3-128", "sha256" or "xxh3-128+sha256".
void set_run_checksum_hash(Database& db, std::int64_t run_id, const std::string& hash);

} // namespace lastgood::catalog
