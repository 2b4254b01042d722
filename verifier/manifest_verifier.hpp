#pragma once
// Checks a base backup's files against its backup_manifest the way
// pg_verifybackup does (pg-formats.md §2.4): every manifest file present with
// the right size and checksum, no files the manifest does not list, except the
// paths pg_verifybackup ignores. The bytes come from elsewhere (a plain file, a
// tar member) through a streaming FileCheck, so each file is read only once.

#include "pg/backup_manifest.hpp"
#include "verifier/finding.hpp"
#include "verifier/manifest_checksum.hpp"

#include <cstdint>
#include <mutex>
#include <span>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

namespace lastgood::verifier {

class ManifestVerifier
{
public:
  // key_prefix: where the backup's data directory is in the repository
  // ("base/plain-1/"), used to name files in findings.
  ManifestVerifier(pg::BackupManifest manifest, std::string key_prefix);

  // pg_verifybackup's ignore list: backup_manifest, pg_wal (and below it),
  // postgresql.auto.conf, recovery.signal, standby.signal.
  static bool is_ignored(std::string_view path);

  // One file's bytes on their way past; belongs to one thread at a time.
  class FileCheck
  {
  public:
    void update(std::span<const std::byte> data);
    // Records what was seen with the verifier (thread-safe). Call once, after
    // every byte of the file went through update().
    void finish();
    // Whether finish_from_ranges() can stand in for update() and finish():
    // the manifest checksum is CRC32C or none, or the file is not listed.
    bool combinable() const;
    // Records a file read in ranges elsewhere: its size and the CRC32C of all
    // its bytes (pg::crc32c_combine of the ranges'). Call once, instead of finish().
    void finish_from_ranges(std::uint64_t bytes, std::uint32_t crc32c);
    bool wants_crc32c() const { return m_checksum.is_crc32c(); }

  private:
    friend class ManifestVerifier;
    FileCheck(ManifestVerifier* verifier, std::size_t index, std::string subject,
              std::string_view algorithm);
    ManifestVerifier* m_verifier;
    std::size_t m_index; // into the manifest's files; kNotListed, kIgnored
    std::string m_subject;
    ManifestChecksum m_checksum;
    std::uint64_t m_bytes = 0;
  };

  // Starts checking the file at manifest path `path` (relative to the data
  // directory, no leading "./"). subject names it in findings (an object key,
  // or "archive.tar:member"). Thread-safe.
  FileCheck check_file(std::string_view path, std::string subject);

  // The file exists but could not be read: it is neither missing nor checked
  // (the caller reports why it could not be read). Thread-safe.
  void mark_unreadable(std::string_view path);

  // Manifest files under `prefix` ("" = all) that are never seen are not
  // reported one by one, because the archive holding them could not be read to
  // its end (the caller reports that). Thread-safe.
  void mark_incomplete(std::string prefix);

  // After every file went by: mismatched, missing and extra files.
  Findings findings() const;
  // Manifest files whose bytes were checked (size and, if any, checksum).
  std::uint64_t files_checked() const;
  const pg::BackupManifest& manifest() const { return m_manifest; }

private:
  static constexpr std::size_t kNotListed = static_cast<std::size_t>(-1);
  static constexpr std::size_t kIgnored = static_cast<std::size_t>(-2);

  enum class State { Unseen, Checked, Unreadable };
  struct Seen
  {
    State state = State::Unseen;
    std::string subject;
    std::uint64_t size = 0;
    std::string checksum; // as computed; "" when the manifest has none
  };
  struct Extra
  {
    std::string path, subject;
    std::uint64_t size = 0;
  };

  void record(const FileCheck& check, std::string checksum);
  bool incomplete(const std::string& path) const;

  pg::BackupManifest m_manifest;
  std::string m_key_prefix;
  std::unordered_map<std::string_view, std::size_t> m_index; // path -> files[i]
  mutable std::mutex m_mutex;
  std::vector<Seen> m_seen;
  std::vector<Extra> m_extra;
  std::vector<std::string> m_incomplete;
};

} // namespace lastgood::verifier
