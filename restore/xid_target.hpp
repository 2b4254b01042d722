#pragma once
// Where a transaction ends in the archived WAL, for recovery_target_xid: its
// commit or abort record, read with pg_waldump (cached per segment).

#include "catalog/wal_chain.hpp"
#include "restore/pitr_path.hpp"
#include "restore/pitr_plan.hpp"

#include <cstdint>
#include <optional>

namespace lastgood::restore {

// Walks the archive along the path from its newest segment back, and stops
// at the transaction's end record, or where every transaction is older than
// it (xids are assigned in order: its end would lie later). nullopt when not
// found. Throws Error when pg_waldump is missing or a segment cannot be read.
std::optional<TransactionEnd> find_transaction_end(catalog::Database& db, catalog::WalChain& chain,
                                                   const std::vector<PathStep>& path,
                                                   std::uint64_t segment_size, std::uint32_t xid);

} // namespace lastgood::restore
