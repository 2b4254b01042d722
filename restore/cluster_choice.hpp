#pragma once
// Which cluster a PITR question is about: the one named, else the only one
// with base backups (a stray foreign segment must not make the question
// ambiguous), else the only one with WAL.

#include "catalog/database.hpp"
#include "pg/lsn.hpp"

#include <cstdint>
#include <optional>
#include <string>

namespace lastgood::restore {

struct ClusterRef
{
  std::int64_t id = 0;
  std::string system_identifier;
  std::uint64_t segment_size = pg::kDefaultWalSegmentSize;
};

// nullopt when the catalog knows no such cluster; throws UsageError when
// several fit and none was named.
std::optional<ClusterRef> resolve_cluster(catalog::Database& db,
                                          const std::optional<std::string>& wanted);

} // namespace lastgood::restore
