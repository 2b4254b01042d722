#pragma once
// What structure checks of a backup ask about its cluster's WAL archive.

#include "catalog/database.hpp"

#include <cstdint>
#include <optional>
#include <string>

namespace lastgood::catalog {

// The cluster's WAL segment size (16 MiB when unrecorded); nullopt: no such cluster.
std::optional<std::uint64_t> cluster_wal_segment_size(Database& db,
                                                      const std::string& system_identifier);
// Whether a whole, sound, present copy of the segment is archived.
bool whole_segment_archived(Database& db, const std::string& system_identifier,
                            std::uint32_t timeline, std::uint64_t segno);

} // namespace lastgood::catalog
