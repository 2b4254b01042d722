#pragma once
// One object of a backup read once: its size and SHA-256 (or, routinely, its
// XXH3-128 per block) compared with the catalog, and, for base backups, the files inside it (the
// object itself, or the members of a tar) fed to a ManifestVerifier on the same pass.

#include "common/fast_hash.hpp"
#include "storage/storage.hpp"
#include "verifier/finding.hpp"
#include "verifier/manifest_verifier.hpp"

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace lastgood::verifier {

// What the bytes of an object are, for the manifest check.
enum class ObjectContent {
  Opaque,        // not checked against a manifest (dumps, pg_wal.tar, WAL)
  DataFile,      // a file of a plain base backup: manifest_path is its path
  BaseTar,       // base.tar[.gz|.zst|.lz4]: members are data directory paths
  TablespaceTar, // <oid>.tar*: members go under manifest_path ("pg_tblspc/<oid>")
};

struct ObjectJob
{
  std::string key;
  std::uint64_t expected_size = 0;
  std::optional<std::string> expected_sha256; // nullopt: the catalog never hashed it
  bool in_catalog = true;                     // false: found by listing only
  ObjectContent content = ObjectContent::Opaque;
  std::string manifest_path;
  FastDigest expected_fast; // empty: the catalog has no XXH3-128 for it yet
  bool use_sha256 = true;   // false: compare XXH3-128 only (expected_fast is set)
};

struct ObjectOutcome
{
  Findings findings;
  std::uint64_t bytes_read = 0;
  bool read = false; // read to its end (the SHA-256 is of the whole object)
  // Read to its end with SHA-256 equal to the catalog's: what it hashed to
  // (the catalog records when, and fills in the XXH3-128 it lacked).
  std::string verified_sha256;
  FastDigest fast; // of the bytes read, when read to its end
};

// Compares what was read with what the catalog holds for the job.
void compare_with_catalog(const ObjectJob& job, std::uint64_t size, const std::string& sha256,
                          Findings& findings);
// The same with XXH3-128: a mismatch names the byte range of each differing block.
void compare_fast_with_catalog(const ObjectJob& job, std::uint64_t size, const FastDigest& actual,
                               Findings& findings);
// A checksum_mismatch finding for blocks (indexes, ascending) whose XXH3-128 differs.
void add_block_mismatch(const ObjectJob& job, const std::vector<std::uint64_t>& blocks,
                        Findings& findings);

// Reads objects for one worker thread (owns its buffer). Never throws for a
// problem with an object: missing, unreadable and damaged objects are findings.
// Missing: Failure (the backup lost it). Unreadable for any other storage
// reason (permission, I/O, timeout): Error, since we could not tell whether
// the bytes are good. A damaged tar or compression stream: Failure.
class ObjectChecker
{
public:
  ObjectChecker(storage::Storage& storage, ManifestVerifier* manifest);
  // started: the manifest check of a data file begun by the caller (else one is begun here).
  ObjectOutcome check(const ObjectJob& job, ManifestVerifier::FileCheck* started = nullptr);

private:
  void read_data_file(storage::ReadStream& stream, const ObjectJob& job,
                      ManifestVerifier::FileCheck* started);
  void read_tar(storage::ReadStream& stream, const ObjectJob& job, Findings& findings);
  void drain(storage::ReadStream& stream);

  storage::Storage& m_storage;
  ManifestVerifier* m_manifest;
  std::vector<std::byte> m_buffer;
};

} // namespace lastgood::verifier
