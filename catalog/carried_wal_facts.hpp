#pragma once
// The WAL a base backup carries itself (pg_basebackup -X fetch or -X stream):
// segments in its pg_wal/ directory, in pg_wal.tar beside base.tar, or under
// pg_wal/ inside base.tar. Read during the scan as facts about the object that
// holds them (objects.detail "carried_wal", table backup_carried_wal).

#include "catalog/classify.hpp"
#include "pg/tar_reader.hpp"
#include "storage/storage.hpp"

#include <cstdint>
#include <nlohmann/json.hpp>
#include <string_view>

namespace lastgood::catalog {

// One carried segment: {name, timeline, xlogid, xlogseg, size, header?}, or
// null when `path` is not a whole WAL segment (history files, .partial,
// archive_status/...). first_page: the member's first bytes (64 are enough).
nlohmann::json carried_wal_entry(std::string_view path, std::uint64_t size,
                                 std::string_view first_page);

// For a tar walk: the entry of a pg_wal/ member (`under_pg_wal`: the member
// path is relative to pg_wal/, as in pg_wal.tar), or null.
nlohmann::json carried_wal_member(const pg::TarMember& member, storage::ReadStream& content,
                                  bool under_pg_wal);

// pg_wal.tar[.gz|.zst|.lz4] beside base.tar: kind wal_tar, detail.carried_wal.
Classification classify_wal_tar(storage::ReadStream& source);

} // namespace lastgood::catalog
