#include "verifier/checksum_object.hpp"

#include "common/error.hpp"
#include "common/sha256.hpp"
#include "pg/tar_reader.hpp"
#include "verifier/hashing_stream.hpp"

namespace lastgood::verifier {
namespace {

// Small enough that the bytes are still in L2 for the second checksum.
constexpr std::size_t kBufferBytes = 256 * 1024;


// "./global/pg_control" -> "global/pg_control"; "./" -> "".
std::string member_path(std::string path)
{
  while (path.starts_with("./"))
    path.erase(0, 2);
  while (path.starts_with("/"))
    path.erase(0, 1);
  while (path.ends_with("/"))
    path.pop_back();
  return path;
}

// Manifest paths under which nothing is reported missing when this tar fails.
std::string tar_scope(const ObjectJob& job)
{
  return job.content == ObjectContent::TablespaceTar ? job.manifest_path : std::string();
}

} // namespace

void compare_with_catalog(const ObjectJob& job, std::uint64_t size, const std::string& sha256,
                          Findings& findings)
{
  // Found only by listing: nothing to compare with. The manifest check covers
  // it in a base backup; the next scan catalogs it.
  if (!job.in_catalog) return;
  if (size != job.expected_size) {
    findings.add(finding_kind::size_mismatch, Severity::Failure, job.key,
                 "'" + job.key + "' has " + std::to_string(size) + " bytes but the catalog says " +
                     std::to_string(job.expected_size) +
                     ": it was truncated or rewritten after it was cataloged; restore it from "
                     "another copy, or if the change is intended run `lastgood scan --rehash`",
                 {{"expected_size", job.expected_size}, {"actual_size", size}});
    return;
  }
  if (!job.expected_sha256) {
    findings.add(finding_kind::unreadable_object, Severity::Warning, job.key,
                 "'" + job.key +
                     "' was never read successfully before, so the catalog has no SHA-256 to "
                     "compare with; it reads fine now: run `lastgood scan --rehash` to record it",
                 {{"actual_size", size}, {"actual", sha256}});
    return;
  }
  if (sha256 != *job.expected_sha256)
    findings.add(finding_kind::checksum_mismatch, Severity::Failure, job.key,
                 "'" + job.key +
                     "' does not match the SHA-256 recorded in the catalog: its bytes changed "
                     "since they were cataloged (bit rot, tampering or an overwrite); restore it "
                     "from another copy or take a new backup",
                 {{"expected", *job.expected_sha256}, {"actual", sha256}});
}

ObjectChecker::ObjectChecker(storage::Storage& storage, ManifestVerifier* manifest)
    : m_storage(storage), m_manifest(manifest), m_buffer(kBufferBytes)
{
}

void ObjectChecker::drain(storage::ReadStream& stream)
{
  while (stream.read(m_buffer) > 0) {
  }
}

void ObjectChecker::read_data_file(storage::ReadStream& stream, const ObjectJob& job)
{
  auto check = m_manifest->check_file(job.manifest_path, job.key);
  for (;;) {
    std::size_t n = stream.read(m_buffer);
    if (n == 0) break;
    check.update(std::span<const std::byte>(m_buffer).first(n));
  }
  check.finish();
}

void ObjectChecker::read_tar(storage::ReadStream& stream, const ObjectJob& job, Findings& findings)
{
  try {
    pg::for_each_tar_member(stream, [&](const pg::TarMember& member, storage::ReadStream& content) {
      std::string path = member_path(member.path);
      if (!member.regular_file || path.empty()) return true;
      if (job.content == ObjectContent::TablespaceTar) path = job.manifest_path + "/" + path;
      auto check = m_manifest->check_file(path, job.key + ":" + path);
      for (;;) {
        std::size_t n = content.read(m_buffer);
        if (n == 0) break;
        check.update(std::span<const std::byte>(m_buffer).first(n));
      }
      check.finish();
      return true;
    });
  } catch (const ValidationError& e) {
    m_manifest->mark_incomplete(tar_scope(job));
    findings.add(finding_kind::unreadable_object, Severity::Failure, job.key,
                 "'" + job.key + "' is not a readable tar archive (" + e.what() +
                     "), so the files in it could not be checked against backup_manifest: the "
                     "backup is damaged; restore this archive from another copy or take a new "
                     "base backup",
                 {{"error", e.what()}});
  }
}

ObjectOutcome ObjectChecker::check(const ObjectJob& job)
{
  ObjectOutcome out;
  const bool tar =
      job.content == ObjectContent::BaseTar || job.content == ObjectContent::TablespaceTar;
  const bool feeds_manifest = m_manifest && job.content != ObjectContent::Opaque;
  try {
    auto source = m_storage.read(job.key);
    HashingStream stream(*source);
    try {
      if (feeds_manifest && tar)
        read_tar(stream, job, out.findings);
      else if (feeds_manifest)
        read_data_file(stream, job);
      drain(stream);
    } catch (...) {
      out.bytes_read = stream.bytes();
      throw;
    }
    out.bytes_read = stream.bytes();
    out.read = true;
    compare_with_catalog(job, stream.bytes(), stream.hex_digest(), out.findings);
  } catch (const NotFoundError& e) {
    // A lost tar takes all its files with it: one finding says so, not thousands.
    if (feeds_manifest && tar) m_manifest->mark_incomplete(tar_scope(job));
    out.findings.add(finding_kind::missing_object, Severity::Failure, job.key,
                     "'" + job.key +
                         "' is listed in the catalog but is gone from storage: the backup is "
                         "incomplete; restore the object from another copy, or run `lastgood "
                         "scan` to record it missing and rely on another backup",
                     {{"error", e.what()}});
  } catch (const Error& e) {
    if (feeds_manifest && tar)
      m_manifest->mark_incomplete(tar_scope(job));
    else if (feeds_manifest)
      m_manifest->mark_unreadable(job.manifest_path);
    // A damaged compression stream is the backup's fault; anything from storage is ours.
    const bool damaged = dynamic_cast<const ValidationError*>(&e) != nullptr;
    out.findings.add(finding_kind::unreadable_object, damaged ? Severity::Failure : Severity::Error,
                     job.key,
                     "'" + job.key + "' could not be read to its end (" + e.what() + ")" +
                         (damaged ? ": the object is damaged; restore it from another copy or "
                                    "take a new backup"
                                  : ": its bytes could not be checked; fix access to the "
                                    "repository (permissions, network, disk) and verify again"),
                     {{"error", e.what()}, {"bytes_read", out.bytes_read}});
  }
  return out;
}

} // namespace lastgood::verifier
