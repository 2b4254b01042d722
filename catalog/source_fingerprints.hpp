#pragma once
// The source fingerprint recorded with a backup (migration 0011).

#include "catalog/database.hpp"
#include "pg/table_fingerprint.hpp"

#include <cstdint>
#include <optional>
#include <string>

namespace lastgood::catalog {

struct SourceFingerprint
{
  pg::DatabaseFingerprint fingerprint;
  std::string taken_at; // RFC 3339
  std::string how;      // "backup" (pg_dump's snapshot) | "attached"
};

// Replaces the backup's fingerprint (one transaction).
void record_source_fingerprint(Database& db, std::int64_t backup_row_id,
                               const SourceFingerprint& fingerprint);

std::optional<SourceFingerprint> source_fingerprint(Database& db, std::int64_t backup_row_id);

} // namespace lastgood::catalog
