#pragma once
// backup_manifest written by pg_basebackup (PG13+), see pg-formats.md §2.2.

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "pg/lsn.hpp"

namespace lastgood::pg {

struct ManifestFile {
  std::string path;               // decoded (Encoded-Path hex is decoded)
  std::uint64_t size = 0;
  std::string last_modified;
  std::string checksum_algorithm; // "CRC32C", "SHA256", ... or "" for none
  std::string checksum;           // lowercase hex
};

struct ManifestWalRange {
  std::uint32_t timeline = 0;
  Lsn start;
  Lsn end;
};

struct BackupManifest {
  int version = 0;
  std::optional<std::uint64_t> system_identifier;  // version 2 (PG17) only
  std::vector<ManifestFile> files;
  std::vector<ManifestWalRange> wal_ranges;  // newest timeline first, as written
  std::string manifest_checksum;
  bool manifest_checksum_ok = false;  // SHA-256 of everything up to the last line matches
};

// Throws ValidationError for malformed JSON, missing keys, duplicate paths.
// A wrong Manifest-Checksum is not thrown: manifest_checksum_ok says it.
BackupManifest parse_backup_manifest(std::string_view text);

} // namespace lastgood::pg
