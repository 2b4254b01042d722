#pragma once
// Writes one pgBackRest backup into an empty directory as a PostgreSQL data
// directory, with lastgood's own reader (pgbackrest is never run): files come
// from this backup or the prior ones it references, from bundles or single
// files, decrypted and decompressed, each checked against the manifest's size
// and SHA-1 as it is written. Everything lands inside the directory: links
// (tablespaces, a linked pg_wal) are written in place as what they point to.

#include "formats/pgbackrest/info_loader.hpp"
#include "formats/pgbackrest/manifest.hpp"
#include "storage/storage.hpp"

#include <cstdint>
#include <filesystem>
#include <functional>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace lastgood::formats::pgbackrest {

// A backed-up file that is missing, whose bytes are not what the manifest says
// (size or SHA-1), or that cannot be decrypted/decompressed: evidence of
// damage, naming the file and where it is stored.
class FileDamagedError : public ValidationError
{
public:
  using ValidationError::ValidationError;
};

struct LoadedManifest
{
  Manifest manifest;
  std::vector<RepoFinding> findings; // damaged/missing/disagreeing backup.manifest.copy
};

// backup/<stanza>/<label>/backup.manifest with its copy; manifest_passphrase
// is backup.info's cipher-pass for an encrypted repository.
LoadedManifest load_manifest(storage::Storage& repo, std::string_view stanza,
                             std::string_view label,
                             const std::optional<std::string>& manifest_passphrase);

// Where a file's stored bytes are: key, offset and length (length nullopt: whole object).
struct StoredLocation
{
  std::string key;
  std::uint64_t offset = 0;
  std::optional<std::uint64_t> length;
};
StoredLocation stored_location(const Manifest& manifest, const ManifestFile& file,
                               std::string_view stanza);

// Reads one file's stored bytes (decrypted, decompressed; from its bundle when
// bundled) and checks them against the manifest's size and SHA-1, handing each
// chunk to `sink` when one is given. `manifest` is that of the backup storing
// the file. Throws FileDamagedError (missing, wrong size or SHA-1, undecodable),
// StorageError (could not read).
using StoredFileSink = std::function<void(std::span<const std::byte>)>;
void read_stored_file(storage::Storage& repo, const Manifest& manifest, const ManifestFile& file,
                      std::string_view stanza, const StoredFileSink& sink = {});

struct MaterialiseResult
{
  std::uint64_t files = 0;
  std::uint64_t bytes = 0;
  std::vector<RepoFinding> findings; // from the info files and the manifest
};

// target must not exist or be empty. Throws PassphraseError (wrong or missing
// passphrase), FileDamagedError (first damaged file), ValidationError (block
// incremental backups are refused: pgBackRest 2.46+'s .pgbi maps are not read),
// NotFoundError (no such backup label), StorageError.
MaterialiseResult materialise_backup(storage::Storage& repo, std::string_view stanza,
                                     std::string_view label, const std::filesystem::path& target,
                                     const std::optional<std::string>& repo_passphrase);

} // namespace lastgood::formats::pgbackrest
