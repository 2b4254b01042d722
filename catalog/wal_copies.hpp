#pragma once
// Every usable archived copy of one WAL file name, across clusters and
// repositories, with what tells them apart: the cluster its page header names,
// and the cluster that owns the directory it sits in (a segment archived from
// the wrong server sits among another cluster's segments). For wal-fetch.

#include "catalog/database.hpp"

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace lastgood::catalog {

struct ArchivedCopy
{
  std::string key, repository_url, repository;
  std::string compression; // segments: "", "gz", "zst"; history files: from the key
  std::optional<std::string> sha256;
  std::uint64_t size = 0;
  std::uint64_t segment_size = 0;       // segments only
  std::string system_identifier;        // "" when unknown
  std::optional<std::string> dir_owner; // segments: the directory's dominant cluster
};

// Present, not deleted, in an active repository, no problem found; segments
// uncompressed first, then newest. Partial segments never.
std::vector<ArchivedCopy> archived_segment_copies(Database& db, const std::string& name);
std::vector<ArchivedCopy> archived_history_copies(Database& db, const std::string& name);

} // namespace lastgood::catalog
