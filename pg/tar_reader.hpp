#pragma once
// Walks a tar archive (plain, .gz, .zst, .lz4 - detected by content) streamed
// from a ReadStream, with libarchive.

#include <cstdint>
#include <functional>
#include <string>

#include "storage/storage.hpp"

namespace lastgood::pg {

struct TarMember {
  std::string path;       // as stored, e.g. "global/pg_control", "./backup_label"
  std::uint64_t size = 0;
  bool regular_file = false;
  bool directory = false;
  bool symlink = false;
  bool hardlink = false;    // a link to an earlier member (link_target names it)
  std::string link_target;  // the symlink's target or the hardlink's member path
  unsigned mode = 0;        // permission bits as stored (e.g. 0600)
};

// Calls visit for each member; `content` reads that member's data (may be left
// unread). visit returns false to stop early. Throws ValidationError for a
// damaged archive (naming the member), StorageError if the source fails.
void for_each_tar_member(storage::ReadStream& source,
                         const std::function<bool(const TarMember&, storage::ReadStream& content)>& visit);

} // namespace lastgood::pg
