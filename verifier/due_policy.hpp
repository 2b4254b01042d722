#pragma once
// What `verify --due` should do now: every database (its dumps) and every
// cluster (its base backups) restore-tested at least every
// verify.restore_every (newest unverified backup first), every backup's
// objects re-hashed at least every verify.checksum_every. A slice N/T keeps
// only the backups whose ID hashes into slice N of T, so T nightly runs with
// different N cover everything deterministically.

#include "catalog/database.hpp"
#include "common/config.hpp"
#include "verifier/finding.hpp"

#include <cstdint>
#include <string>
#include <vector>

namespace lastgood::verifier {

struct DueWork
{
  std::string backup_id;
  Level level;
  std::string reason;
};

struct Slice
{
  unsigned index = 1; // 1-based
  unsigned count = 1;
};
Slice parse_slice(const std::string& text); // "3/7"; throws UsageError

// Restore work first (most important), then checksum work, oldest evidence first.
std::vector<DueWork> due_work(catalog::Database& db, const VerifyConfig& config,
                              const Slice& slice);

} // namespace lastgood::verifier
