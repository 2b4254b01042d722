#pragma once
// Where pgBackRest keeps WAL: archive/<stanza>/<archive id>/ holds
// <timeline>.history files; its <16 hex> subdirectories (timeline + log id)
// hold <segment>-<sha1>[.ext], <segment>.partial-<sha1>[.ext] and
// <segment>.<offset>.backup files (src/command/archive/).

#include "formats/pgbackrest/transform.hpp"
#include "storage/storage.hpp"

#include <optional>
#include <string>
#include <string_view>

namespace lastgood::formats::pgbackrest {

struct ArchiveFileName
{
  enum class Kind { segment, partial, history, backup };
  Kind kind = Kind::segment;
  std::string wal_name;            // 24 hex digits (8 for a history file)
  std::optional<std::string> sha1; // of the uncompressed, unencrypted segment
  CompressType compression = CompressType::none;
  std::string backup_offset; // "00000028" of a .backup file
};

// Parses a file name (no directory); nullopt when it is not one of the above.
std::optional<ArchiveFileName> parse_archive_file_name(std::string_view name);

// "archive/<stanza>/<archive id>"
std::string archive_dir_key(std::string_view stanza, std::string_view archive_id);
// "archive/<stanza>/<archive id>/<first 16 hex of segment>"
std::string segment_dir_key(std::string_view stanza, std::string_view archive_id,
                            std::string_view segment);

// The key of a WAL segment (24 hex digits, or "<segment>.partial") in the
// archive, or nullopt when it is not there. Throws ValidationError when the
// archive holds it twice with different contents (pgBackRest refuses those too).
std::optional<std::string> locate_segment(storage::Storage& repo, std::string_view stanza,
                                          std::string_view archive_id, std::string_view segment);

} // namespace lastgood::formats::pgbackrest
