#include "formats/pgbackrest/archive_layout.hpp"

#include "common/error.hpp"

#include <algorithm>
#include <vector>

namespace lastgood::formats::pgbackrest {
namespace {

bool is_hex(std::string_view s, std::size_t n)
{
  return s.size() == n && std::all_of(s.begin(), s.end(), [](char c) {
           return (c >= '0' && c <= '9') || (c >= 'A' && c <= 'F');
         });
}

bool is_sha1(std::string_view s)
{
  return s.size() == 40 && std::all_of(s.begin(), s.end(), [](char c) {
           return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f');
         });
}

// Splits a trailing compression extension off `rest`.
CompressType take_extension(std::string_view& rest)
{
  for (CompressType t :
       {CompressType::gz, CompressType::lz4, CompressType::zst, CompressType::bz2}) {
    if (rest.ends_with(compress_extension(t))) {
      rest.remove_suffix(compress_extension(t).size());
      return t;
    }
  }
  return CompressType::none;
}

} // namespace

std::optional<ArchiveFileName> parse_archive_file_name(std::string_view name)
{
  ArchiveFileName out;
  if (name.size() == 16 && name.ends_with(".history") && is_hex(name.substr(0, 8), 8)) {
    out.kind = ArchiveFileName::Kind::history;
    out.wal_name = std::string(name.substr(0, 8));
    return out;
  }
  if (name.size() < 24 || !is_hex(name.substr(0, 24), 24)) return std::nullopt;
  out.wal_name = std::string(name.substr(0, 24));
  std::string_view rest = name.substr(24);
  if (rest.size() == 16 && rest.front() == '.' && rest.ends_with(".backup") &&
      is_hex(rest.substr(1, 8), 8)) {
    out.kind = ArchiveFileName::Kind::backup;
    out.backup_offset = std::string(rest.substr(1, 8));
    return out;
  }
  if (rest.starts_with(".partial")) {
    out.kind = ArchiveFileName::Kind::partial;
    rest.remove_prefix(8);
  }
  out.compression = take_extension(rest);
  if (rest.size() != 41 || rest.front() != '-' || !is_sha1(rest.substr(1))) return std::nullopt;
  out.sha1 = std::string(rest.substr(1));
  return out;
}

std::string archive_dir_key(std::string_view stanza, std::string_view archive_id)
{
  return "archive/" + std::string(stanza) + "/" + std::string(archive_id);
}

std::string segment_dir_key(std::string_view stanza, std::string_view archive_id,
                            std::string_view segment)
{
  return archive_dir_key(stanza, archive_id) + "/" + std::string(segment.substr(0, 16));
}

std::optional<std::string> locate_segment(storage::Storage& repo, std::string_view stanza,
                                          std::string_view archive_id, std::string_view segment)
{
  const bool partial = segment.ends_with(".partial");
  const std::string_view wal = segment.substr(0, 24);
  if (!is_hex(wal, 24) || (segment.size() != 24 && !partial) || (partial && segment.size() != 32))
    throw UsageError("'" + std::string(segment) + "' is not a WAL segment name");
  const std::string prefix = segment_dir_key(stanza, archive_id, wal) + "/" + std::string(segment);
  std::vector<std::string> found;
  repo.list(
      prefix,
      [&](const storage::ObjectInfo& object) {
        const std::string_view file =
            std::string_view(object.key).substr(object.key.rfind('/') + 1);
        auto parsed = parse_archive_file_name(file);
        if (!parsed || parsed->wal_name != wal) return;
        if ((parsed->kind == ArchiveFileName::Kind::partial) == partial &&
            parsed->kind != ArchiveFileName::Kind::backup)
          found.push_back(object.key);
      },
      [](const storage::ListProblem&) {});
  if (found.empty()) return std::nullopt;
  std::sort(found.begin(), found.end());
  if (found.size() > 1)
    throw ValidationError("WAL segment " + std::string(segment) + " is archived " +
                          std::to_string(found.size()) + " times with different contents in " +
                          archive_dir_key(stanza, archive_id) + ": " + found[0] + ", " + found[1]);
  return found[0];
}

} // namespace lastgood::formats::pgbackrest
