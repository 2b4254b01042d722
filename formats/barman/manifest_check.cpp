#include "formats/barman/manifest_check.hpp"

#include "common/sha256.hpp"
#include "pg/crc32c.hpp"

#include <fstream>
#include <set>
#include <vector>

namespace lastgood::formats::barman {
namespace {

namespace fs = std::filesystem;

bool ignored(const std::string& path)
{
  return path == "backup_manifest" || path == "pg_wal" || path.starts_with("pg_wal/") ||
         path == "postgresql.auto.conf" || path == "recovery.signal" || path == "standby.signal";
}

// The checksum as the manifest writes it, or "" when this reader does not compute that algorithm.
std::string file_checksum(const fs::path& file, const std::string& algorithm)
{
  const bool crc = algorithm == "CRC32C";
  const bool sha256 = algorithm == "SHA256";
  if (!crc && !sha256) return "";
  pg::Crc32c crc32c;
  Sha256 sha;
  std::ifstream in(file, std::ios::binary);
  std::vector<char> buffer(1 << 20);
  while (in) {
    in.read(buffer.data(), static_cast<std::streamsize>(buffer.size()));
    std::string_view chunk(buffer.data(), static_cast<std::size_t>(in.gcount()));
    if (crc)
      crc32c.update(chunk);
    else
      sha.update(chunk);
  }
  return crc ? crc32c.manifest_hex() : sha.hex_digest();
}

} // namespace

std::vector<BarmanFinding> check_against_manifest(
    const fs::path& directory, const pg::BackupManifest& manifest,
    const std::function<std::string(const std::string& manifest_path)>& source_of)
{
  std::vector<BarmanFinding> findings;
  if (!manifest.manifest_checksum_ok)
    findings.push_back(
        {FindingKind::ManifestMismatch, source_of("backup_manifest"),
         source_of("backup_manifest") + ": its own Manifest-Checksum does not match"});
  std::set<std::string> listed;
  for (const pg::ManifestFile& file : manifest.files) {
    listed.insert(file.path);
    if (ignored(file.path)) continue;
    fs::path on_disk = directory / file.path;
    std::string source = source_of(file.path);
    std::error_code ec;
    if (!fs::is_regular_file(on_disk, ec)) {
      findings.push_back({FindingKind::MissingBackupFile, source,
                          source + " is listed in backup_manifest but missing from the backup"});
      continue;
    }
    std::uint64_t size = fs::file_size(on_disk);
    if (size != file.size) {
      findings.push_back({FindingKind::ManifestMismatch, source,
                          source + " is " + std::to_string(size) + " bytes, backup_manifest says " +
                              std::to_string(file.size)});
      continue;
    }
    std::string actual = file_checksum(on_disk, file.checksum_algorithm);
    if (!actual.empty() && actual != file.checksum)
      findings.push_back({FindingKind::ManifestMismatch, source,
                          source + " has " + file.checksum_algorithm + " " + actual +
                              ", backup_manifest says " + file.checksum});
  }
  // Tablespaces are links in pg_tblspc/: follow them.
  for (auto it = fs::recursive_directory_iterator(directory,
                                                  fs::directory_options::follow_directory_symlink);
       it != fs::recursive_directory_iterator(); ++it) {
    if (!it->is_regular_file()) continue;
    std::string path = it->path().lexically_relative(directory).generic_string();
    if (ignored(path) || listed.contains(path)) continue;
    std::string source = source_of(path);
    findings.push_back({FindingKind::ManifestMismatch, source,
                        source + " is in the backup but not listed in backup_manifest"});
  }
  return findings;
}

} // namespace lastgood::formats::barman
