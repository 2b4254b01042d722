#pragma once
// A backup's objects in a few lines: a plain base backup has one object per data file
// (thousands), which `show` summarises by role and kind instead of listing.

#include "catalog/backup_queries.hpp"

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace lastgood::catalog {

struct ObjectGroup
{
  std::string role, kind;
  std::size_t count = 0;
  std::uint64_t bytes = 0;
};

struct BackupObjectSummary
{
  std::size_t count = 0;
  std::uint64_t bytes = 0;
  std::vector<ObjectGroup> groups; // by role then kind, in first-seen order
  // WAL the backup carries (pg_wal/ files, kind backup_wal or wal_segment): first and last
  // file name, by name order.
  std::optional<std::string> first_wal, last_wal;
  std::size_t wal_files = 0;
  // Objects that are missing or have a problem: always worth a line of their own.
  std::vector<BackupObjectRow> flagged;
};

BackupObjectSummary summarise_objects(const std::vector<BackupObjectRow>& objects);

} // namespace lastgood::catalog
