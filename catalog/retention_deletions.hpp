#pragma once
// Whether `retention apply` set out to delete a backup since a given moment:
// its `retention.delete_backup` audit row is written before the first object
// goes, so an object found missing after that row is retention's doing, not
// damage (docs/reliability.md, "Known limits").

#include "catalog/database.hpp"

#include <optional>
#include <string>

namespace lastgood::catalog {

struct RetentionDeletion
{
  std::string at; // RFC 3339, the audit row's time
  std::int64_t audit_id = 0;
};

// The first such audit row of `backup_id` at or after `since` (RFC 3339).
std::optional<RetentionDeletion> retention_deleted_since(Database& db, const std::string& backup_id,
                                                         const std::string& since);

} // namespace lastgood::catalog
