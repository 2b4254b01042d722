#include "catalog/verified_hashes.hpp"

namespace lastgood::catalog {

void record_verified_hashes(Database& db, std::int64_t backup_row_id,
                            const std::vector<VerifiedHash>& verified, const std::string& now)
{
  if (verified.empty()) return;
  Transaction tx(db);
  auto update = db.prepare(
      // No digest given: the catalog's stay (same bytes as the SHA-256 just proved).
      "UPDATE objects SET sha256_checked = ?1, xxh3_128 = coalesce(?2, xxh3_128),"
      " xxh3_blocks = CASE WHEN ?2 IS NULL THEN xxh3_blocks ELSE ?3 END,"
      " xxh3_block_size = CASE WHEN ?2 IS NULL THEN xxh3_block_size ELSE ?4 END"
      " WHERE key = ?5 AND sha256 = ?6 AND id IN"
      " (SELECT object_id FROM backup_objects WHERE backup_id = ?7)");
  for (const auto& v : verified) {
    const std::optional<std::string> whole =
        v.fast.whole.empty() ? std::nullopt : std::optional(v.fast.whole);
    const std::optional<std::string> blocks =
        v.fast.blocks.empty() ? std::nullopt : std::optional(v.fast.blocks);
    update
        .bind_all(now, whole, blocks, static_cast<std::int64_t>(kFastBlockBytes), v.key, v.sha256,
                  backup_row_id)
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
