#pragma once
// Single backup fields other rooms read or set after ingest: how a dump was
// compressed, the label printed beside a backup.

#include "catalog/database.hpp"

#include <cstdint>
#include <optional>
#include <string>

namespace lastgood::catalog {

// The backup's compression ("" when none is recorded); nullopt: no such backup.
std::optional<std::string> backup_compression(Database& db, std::int64_t backup_row_id);
// The label `show` and `backups` print beside a backup.
void set_backup_label(Database& db, std::int64_t backup_row_id, const std::string& label);

} // namespace lastgood::catalog
