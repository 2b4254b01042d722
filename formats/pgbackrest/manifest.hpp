#pragma once
// backup/<stanza>/<label>/backup.manifest (+ .copy): one backup's facts and
// every target, path, link and file in it (src/info/manifest.c, format 5).

#include "formats/pgbackrest/backup_info.hpp"
#include "formats/pgbackrest/info_text.hpp"
#include "formats/pgbackrest/transform.hpp"

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace lastgood::formats::pgbackrest {

// A page (or range of pages) whose checksum failed while pgBackRest copied the file.
struct PageRange
{
  std::uint64_t first = 0;
  std::uint64_t last = 0;
};

struct ManifestFile
{
  std::string name;                         // "pg_data/base/1/1259"
  std::uint64_t size = 0;                   // bytes in the cluster
  std::optional<std::string> checksum;      // SHA-1 of the contents; absent for empty files
  std::optional<std::string> repo_checksum; // "rck": SHA-1 of the bytes as stored
  std::uint64_t repo_size = 0;            // bytes as stored (= size when not compressed/encrypted)
  std::optional<std::string> reference;   // the prior backup holding it; nullopt: this backup
  std::optional<std::uint64_t> bundle_id; // "bni": stored in bundle/<id>
  std::uint64_t bundle_offset = 0;        // "bno"
  std::optional<bool> checksum_page;      // false: page-checksum errors were found
  std::vector<PageRange> page_errors;     // "checksum-page-error"
  std::int64_t timestamp = 0;
  std::string mode;               // "0600" (file's own or the section default)
  bool block_incremental = false; // stored as a block map (.pgbi)
};

struct ManifestPath
{
  std::string name; // "pg_data/base"
  std::string mode;
};

struct ManifestLink
{
  std::string name;
  std::string destination;
};

struct ManifestTarget
{
  std::string name; // "pg_data", "pg_tblspc/16385"
  std::string type; // "path" or "link"
  std::string path;
  std::optional<std::string> file;
  std::optional<std::string> tablespace_id, tablespace_name;
};

struct Manifest
{
  std::string backrest_version;
  std::string label;
  BackupType type = BackupType::full;
  std::optional<std::string> prior;
  std::vector<std::string> references; // includes the backup itself
  std::string archive_start, archive_stop;
  std::string lsn_start, lsn_stop;
  std::int64_t timestamp_copy_start = 0, timestamp_start = 0, timestamp_stop = 0;
  bool bundle = false;
  bool bundle_raw = false;
  bool block_incremental = false;
  // [backup:option]
  CompressType compress_type = CompressType::none;
  bool online = true;
  bool checksum_page = false;
  bool archive_check = false;
  // [backup:db]
  unsigned db_id = 0;
  std::uint64_t system_id = 0;
  std::string pg_version;
  std::uint64_t catalog_version = 0, control_version = 0;

  std::vector<ManifestTarget> targets;
  std::vector<ManifestPath> paths;
  std::vector<ManifestLink> links;
  std::vector<ManifestFile> files;        // in name order
  std::optional<std::string> cipher_pass; // passphrase of the backup's files: a secret

  const ManifestFile* find_file(std::string_view name) const;
};

// Throws ValidationError naming `what` (see parse_info_text).
Manifest parse_manifest(const InfoText& text, std::string_view what);

} // namespace lastgood::formats::pgbackrest
