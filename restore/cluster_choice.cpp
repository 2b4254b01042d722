#include "restore/cluster_choice.hpp"

#include "catalog/base_backup_candidates.hpp"
#include "common/error.hpp"

#include <vector>

namespace lastgood::restore {

std::optional<ClusterRef> resolve_cluster(catalog::Database& db,
                                          const std::optional<std::string>& wanted)
{
  for (auto clusters_having : {&catalog::clusters_with_base_backups, &catalog::clusters_with_wal}) {
    std::vector<ClusterRef> found;
    for (const auto& row : clusters_having(db, wanted)) {
      ClusterRef c{row.id, row.system_identifier, pg::kDefaultWalSegmentSize};
      if (row.wal_segment_size &&
          pg::valid_segment_size(static_cast<std::uint64_t>(*row.wal_segment_size)))
        c.segment_size = static_cast<std::uint64_t>(*row.wal_segment_size);
      found.push_back(c);
    }
    if (found.size() > 1) {
      std::string list;
      for (const auto& c : found)
        list += (list.empty() ? "" : ", ") + c.system_identifier;
      throw UsageError("the catalog holds several clusters (" + list +
                       "): choose one with --cluster SYSID");
    }
    if (!found.empty()) return found.front();
  }
  return std::nullopt;
}

} // namespace lastgood::restore
