#pragma once
// Refining where a target time lies in WAL with pg_waldump's commit records:
// recovery to time T stops at the first commit after T, so the last segment it
// needs is the first one (along the replay path) holding a commit after T.

#include "catalog/wal_chain.hpp"
#include "common/cipher_pass.hpp"
#include "restore/pitr_path.hpp"
#include "restore/pitr_plan.hpp"

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace lastgood::restore {

struct RefinedTarget
{
  std::optional<std::uint64_t> segno; // set when commit records decided it
  bool after_end = false;             // no archived commit is after the target
  std::string evidence;               // what the commit records showed
  std::vector<std::string> notes;     // why it could not refine, when it could not
};

// Starts at `guess` (from archive times) and walks a few segments either way
// within [first, end]. Each segment is read at most once: results are cached
// in the catalog. Never throws for a segment it cannot read; it says so.
RefinedTarget refine_with_commit_times(catalog::Database& db, catalog::WalChain& chain,
                                       const std::vector<PathStep>& path, TimeUs target,
                                       std::uint64_t first, std::uint64_t end, std::uint64_t guess,
                                       std::uint64_t segment_size,
                                       const CipherPassLookup& cipher_pass = {});

// Whether commit records prove that WAL at `lsn` was written before `target`:
// a commit at or after lsn, timed at or before target, in lsn's segment or the
// next. For backups whose stop time (whole seconds) is the target's second.
// nullopt when pg_waldump is missing or the segments cannot be read.
std::optional<bool> written_before(catalog::Database& db, catalog::WalChain& chain,
                                   const std::vector<PathStep>& path, pg::Lsn lsn, TimeUs target,
                                   std::uint64_t segment_size,
                                   const CipherPassLookup& cipher_pass = {});

} // namespace lastgood::restore
