#pragma once
// archive/<stanza>/archive.info: which database each archive id belongs to
// (src/info/infoArchive.c). Its history stores the system id under "db-id".

#include "formats/pgbackrest/info_text.hpp"

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace lastgood::formats::pgbackrest {

struct ArchiveHistoryEntry
{
  unsigned id = 0;
  std::uint64_t system_id = 0;
  std::string version;
  // The archive directory of this database: "<version>-<id>", e.g. "15-1".
  std::string archive_id() const { return version + "-" + std::to_string(id); }
};

struct ArchiveInfo
{
  std::string backrest_version;
  ArchiveHistoryEntry current;              // [db]
  std::vector<ArchiveHistoryEntry> history; // [db:history], by id
  std::optional<std::string> cipher_pass;   // passphrase of the WAL files: a secret
};

ArchiveInfo parse_archive_info(const InfoText& text, std::string_view what);

} // namespace lastgood::formats::pgbackrest
