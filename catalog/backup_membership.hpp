#pragma once
// The invariant that ties backups to the objects they are derived from:
// every present object that classifies as part of a backup (a dump file, or
// any file under a directory dump's or base backup's directory) belongs to
// that backup. `scan` rebuilds backups whenever it does not hold (a scan
// killed between committing object rows and building backups, a file first
// unreadable then readable); `catalog check` reports where it does not.

#include "catalog/database.hpp"

#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

namespace lastgood::catalog {

struct UnbuiltMember
{
  std::string key;      // the object
  std::string root_key; // the backup it should belong to
  bool backup_exists = false;
};

// Objects of one repository not (yet) members of the backup they classify
// into; at most `limit` of them (the scan only needs to know whether any).
std::vector<UnbuiltMember> objects_missing_from_backups(Database& db, std::int64_t repository_id,
                                                        std::size_t limit = SIZE_MAX);

} // namespace lastgood::catalog
