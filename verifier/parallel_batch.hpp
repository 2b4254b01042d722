#pragma once
// Several verifications at once in one process (`verify --due --verifiers N`,
// `run --verifiers N`): N workers take the planned work in its order, each
// with a Verifier of its own on a catalog connection of its own (a
// catalog::Database is never shared between threads) and each verification
// under its own lease, so other hosts sharing the catalog see N holders'
// worth of leases and the per-source cap of test restores
// (verify.max_concurrent_per_source) counts them all. `--jobs` keeps its
// meaning inside each verification (hashing threads, pg_restore jobs).

#include "catalog/database.hpp"
#include "verifier/verify_batch.hpp"

#include <functional>
#include <memory>
#include <vector>

namespace lastgood::verifier {

// Makes a Verifier, set up as the command wants, working on `db`.
using VerifierMaker = std::function<std::unique_ptr<Verifier>(catalog::Database& db)>;

// verifiers <= 1: verify_batch with one Verifier on `db`, as before. Otherwise
// the first worker uses `db` and each other one opens the same catalog again.
// Two workers never verify the same backup at once. Reports come in the order
// verifications end; options.on_report is called by one worker at a time.
BatchResult verify_in_parallel(catalog::Database& db, const VerifierMaker& make, unsigned verifiers,
                               const std::vector<PlannedVerification>& work,
                               const BatchOptions& options);

} // namespace lastgood::verifier
