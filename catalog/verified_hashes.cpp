#include "catalog/verified_hashes.hpp"

namespace lastgood::catalog {

void record_verified_hashes(Database& db, std::int64_t backup_row_id,
                            const std::vector<VerifiedHash>& verified, const std::string& now)
{
  if (verified.empty()) return;
  Transaction tx(db);
  auto update = db.prepare(
      "UPDATE objects SET sha256_checked = ?, xxh3_128 = ?, xxh3_blocks = ?, xxh3_block_size = ?"
      " WHERE key = ? AND sha256 = ? AND id IN"
      " (SELECT object_id FROM backup_objects WHERE backup_id = ?)");
  for (const auto& v : verified) {
    const std::optional<std::string> blocks =
        v.fast.blocks.empty() ? std::nullopt : std::optional(v.fast.blocks);
    update
        .bind_all(now, v.fast.whole, blocks, static_cast<std::int64_t>(kFastBlockBytes), v.key,
                  v.sha256, backup_row_id)
        .run();
  }
  tx.commit();
}

void set_run_checksum_hash(Database& db, std::int64_t run_id, const std::string& hash)
{
  db.prepare("UPDATE verification_runs SET checksum_hash = ? WHERE id = ?")
      .bind_all(hash, run_id)
      .run();
}

} // namespace lastgood::catalog
