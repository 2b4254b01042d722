#include "verifier/manifest_verifier.hpp"

#include <algorithm>
#include <array>

namespace lastgood::verifier {
namespace {

// src/bin/pg_verifybackup/pg_verifybackup.c: ignored both on disk and in the
// manifest (never reported missing); a directory entry covers what is under it.
constexpr std::array<std::string_view, 5> kIgnoredPaths{
    "backup_manifest", "pg_wal", "postgresql.auto.conf", "recovery.signal", "standby.signal"};

bool is_under(std::string_view path, std::string_view prefix)
{
  if (prefix.empty()) return true;
  return path == prefix ||
         (path.size() > prefix.size() && path.starts_with(prefix) && path[prefix.size()] == '/');
}

} // namespace

ManifestVerifier::ManifestVerifier(pg::BackupManifest manifest, std::string key_prefix)
    : m_manifest(std::move(manifest)), m_key_prefix(std::move(key_prefix)),
      m_seen(m_manifest.files.size())
{
  m_index.reserve(m_manifest.files.size());
  for (std::size_t i = 0; i < m_manifest.files.size(); ++i)
    m_index.emplace(m_manifest.files[i].path, i);
}

bool ManifestVerifier::is_ignored(std::string_view path)
{
  return std::any_of(kIgnoredPaths.begin(), kIgnoredPaths.end(),
                     [&](std::string_view ignored) { return is_under(path, ignored); });
}

ManifestVerifier::FileCheck::FileCheck(ManifestVerifier* verifier, std::size_t index,
                                       std::string subject, std::string_view algorithm)
    : m_verifier(verifier), m_index(index), m_subject(std::move(subject)), m_checksum(algorithm)
{
}

void ManifestVerifier::FileCheck::update(std::span<const std::byte> data)
{
  m_bytes += data.size();
  if (m_index != kNotListed && m_index != kIgnored) m_checksum.update(data);
}

void ManifestVerifier::FileCheck::finish()
{
  if (m_index == kIgnored) return;
  m_verifier->record(*this, m_index == kNotListed ? std::string() : m_checksum.hex_digest());
}

bool ManifestVerifier::FileCheck::combinable() const
{
  return m_index == kNotListed || m_index == kIgnored || m_checksum.combinable();
}

void ManifestVerifier::FileCheck::finish_from_ranges(std::uint64_t bytes, std::uint32_t crc32c)
{
  m_bytes = bytes;
  if (m_index == kIgnored) return;
  m_verifier->record(*this, m_index == kNotListed || !m_checksum.is_crc32c()
                                ? std::string()
                                : pg::crc32c_manifest_hex(crc32c));
}

ManifestVerifier::FileCheck ManifestVerifier::check_file(std::string_view path, std::string subject)
{
  if (is_ignored(path)) return FileCheck(this, kIgnored, std::move(subject), "");
  auto it = m_index.find(path);
  if (it == m_index.end()) {
    FileCheck check(this, kNotListed, std::move(subject), "");
    std::lock_guard lock(m_mutex);
    m_extra.push_back({std::string(path), check.m_subject, 0});
    return check;
  }
  // Skip the checksum when the manifest has none (size only, like pg_verifybackup).
  return FileCheck(this, it->second, std::move(subject),
                   m_manifest.files[it->second].checksum_algorithm);
}

void ManifestVerifier::record(const FileCheck& check, std::string checksum)
{
  std::lock_guard lock(m_mutex);
  if (check.m_index == kNotListed) {
    for (auto& extra : m_extra)
      if (extra.subject == check.m_subject) extra.size = check.m_bytes;
    return;
  }
  Seen& seen = m_seen[check.m_index];
  seen.state = State::Checked;
  seen.subject = check.m_subject;
  seen.size = check.m_bytes;
  seen.checksum = std::move(checksum);
}

void ManifestVerifier::mark_unreadable(std::string_view path)
{
  auto it = m_index.find(path);
  if (it == m_index.end()) return;
  std::lock_guard lock(m_mutex);
  if (m_seen[it->second].state == State::Unseen) m_seen[it->second].state = State::Unreadable;
}

void ManifestVerifier::mark_incomplete(std::string prefix)
{
  std::lock_guard lock(m_mutex);
  m_incomplete.push_back(std::move(prefix));
}

bool ManifestVerifier::incomplete(const std::string& path) const
{
  return std::any_of(m_incomplete.begin(), m_incomplete.end(),
                     [&](const std::string& prefix) { return is_under(path, prefix); });
}

std::uint64_t ManifestVerifier::files_checked() const
{
  std::lock_guard lock(m_mutex);
  return static_cast<std::uint64_t>(std::count_if(
      m_seen.begin(), m_seen.end(), [](const Seen& s) { return s.state == State::Checked; }));
}

Findings ManifestVerifier::findings() const
{
  std::lock_guard lock(m_mutex);
  Findings out;
  for (std::size_t i = 0; i < m_manifest.files.size(); ++i) {
    const pg::ManifestFile& file = m_manifest.files[i];
    const Seen& seen = m_seen[i];
    if (seen.state == State::Unreadable || is_ignored(file.path)) continue;
    if (seen.state == State::Unseen) {
      if (incomplete(file.path)) continue;
      out.add(finding_kind::manifest_missing_file, Severity::Failure, m_key_prefix + file.path,
              "'" + file.path + "' is listed in backup_manifest (" + std::to_string(file.size) +
                  " bytes) but is not in the backup under '" + m_key_prefix +
                  "': the backup is incomplete and will not restore as taken; restore the file "
                  "from another copy of this backup or take a new base backup",
              {{"path", file.path}, {"expected_size", file.size}});
      continue;
    }
    if (seen.size != file.size) {
      out.add(finding_kind::manifest_mismatch, Severity::Failure, seen.subject,
              "'" + seen.subject + "' has " + std::to_string(seen.size) +
                  " bytes but backup_manifest says '" + file.path + "' has " +
                  std::to_string(file.size) +
                  ": the file changed or was damaged after the backup; restore it from another "
                  "copy of this backup or take a new base backup",
              {{"path", file.path}, {"expected_size", file.size}, {"actual_size", seen.size}});
    } else if (seen.checksum != file.checksum) {
      out.add(finding_kind::manifest_mismatch, Severity::Failure, seen.subject,
              "'" + seen.subject + "' does not match its " + file.checksum_algorithm +
                  " checksum in backup_manifest (expected " + file.checksum + ", got " +
                  seen.checksum +
                  "): the file was damaged after the backup; restore it from another copy of "
                  "this backup or take a new base backup",
              {{"path", file.path},
               {"algorithm", file.checksum_algorithm},
               {"expected", file.checksum},
               {"actual", seen.checksum}});
    }
  }
  std::vector<Extra> extras = m_extra;
  std::sort(extras.begin(), extras.end(),
            [](const Extra& a, const Extra& b) { return a.path < b.path; });
  for (const Extra& extra : extras)
    out.add(finding_kind::manifest_extra_file, Severity::Failure, extra.subject,
            "'" + extra.subject + "' is in the backup but not in backup_manifest ('" + extra.path +
                "'): something added it after the backup was taken (pg_verifybackup rejects "
                "this too); find out what wrote it, then remove it or take a new base backup",
            {{"path", extra.path}, {"actual_size", extra.size}});
  return out;
}

} // namespace lastgood::verifier
