#include "verifier/checksum_object.hpp"

#include "common/error.hpp"
#include "common/sha256.hpp"
#include "pg/tar_reader.hpp"
#include "verifier/hashing_stream.hpp"

#include <algorithm>
#include <optional>
#include <utility>

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

// Hashes what is read through it: XXH3-128 per block always (cheap), SHA-256
// only when asked (the expensive part of a routine re-read).
class DigestingStream : public storage::ReadStream
{
public:
  // sha256 false: a routine read, which compares blocks only. fast false: the
  // catalog's XXH3 stands while the SHA-256 matches, none is computed.
  DigestingStream(storage::ReadStream& inner, bool sha256, bool fast) : m_inner(inner)
  {
    if (sha256) m_sha256.emplace();
    if (fast) m_fast.emplace(sha256);
  }
  std::size_t read(std::span<std::byte> buffer) override
  {
    std::size_t n = m_inner.read(buffer);
    if (m_sha256) m_sha256->update(buffer.first(n));
    if (m_fast) m_fast->update(buffer.first(n));
    m_bytes += n;
    return n;
  }
  std::uint64_t bytes() const { return m_bytes; }
  std::string sha256_hex() { return m_sha256 ? m_sha256->hex_digest() : std::string(); }
  FastDigest fast() { return m_fast ? m_fast->finish() : FastDigest{}; }

private:
  storage::ReadStream& m_inner;
  std::optional<Sha256> m_sha256;
  std::optional<FastHasher> m_fast;
  std::uint64_t m_bytes = 0;
};

std::string byte_ranges(const std::vector<std::pair<std::uint64_t, std::uint64_t>>& ranges)
{
  std::string out;
  for (const auto& [first, last] : ranges)
    out += (out.empty() ? "" : ", ") + std::to_string(first) + "-" + std::to_string(last);
  return out;
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

void add_block_mismatch(const ObjectJob& job, const std::vector<std::uint64_t>& blocks,
                        Findings& findings)
{
  // Adjacent damaged blocks make one range; bytes are inclusive, like HTTP ranges.
  std::vector<std::pair<std::uint64_t, std::uint64_t>> ranges;
  for (std::uint64_t block : blocks) {
    const std::uint64_t first = block * kFastBlockBytes;
    const std::uint64_t last =
        std::min(job.expected_size, first + kFastBlockBytes) - (job.expected_size ? 1 : 0);
    if (!ranges.empty() && ranges.back().second + 1 == first)
      ranges.back().second = last;
    else
      ranges.emplace_back(first, last);
  }
  nlohmann::json detail_ranges = nlohmann::json::array();
  for (const auto& [first, last] : ranges)
    detail_ranges.push_back({{"first_byte", first}, {"last_byte", last}});
  findings.add(finding_kind::checksum_mismatch, Severity::Failure, job.key,
               "'" + job.key + "' does not match the XXH3-128 recorded in the catalog in bytes " +
                   byte_ranges(ranges) + " (" + std::to_string(blocks.size()) + " of " +
                   std::to_string(fast_block_count(job.expected_size)) +
                   " blocks of 64 MiB): its bytes changed since they were cataloged (bit rot, "
                   "tampering or an overwrite); restore it from another copy or take a new backup",
               {{"hash", "xxh3-128"},
                {"ranges", detail_ranges},
                {"blocks", blocks},
                {"block_size", kFastBlockBytes}});
}

void compare_fast_with_catalog(const ObjectJob& job, std::uint64_t size, const FastDigest& actual,
                               Findings& findings)
{
  if (!job.in_catalog) return;
  if (size != job.expected_size) {
    compare_with_catalog(job, size, "", findings); // reports the size
    return;
  }
  std::vector<std::uint64_t> bad;
  const std::uint64_t count = fast_block_count(size);
  for (std::uint64_t i = 0; i < count; ++i)
    if (fast_block_digest(actual, i) != fast_block_digest(job.expected_fast, i)) bad.push_back(i);
  // Blocks equal but the whole differs cannot happen with the same digests; say so if it does.
  if (bad.empty() && !actual.whole.empty() && actual.whole != job.expected_fast.whole)
    for (std::uint64_t i = 0; i < count; ++i)
      bad.push_back(i);
  if (!bad.empty()) add_block_mismatch(job, bad, findings);
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

void ObjectChecker::read_data_file(storage::ReadStream& stream, const ObjectJob& job,
                                   ManifestVerifier::FileCheck* started)
{
  std::optional<ManifestVerifier::FileCheck> own;
  if (!started) own.emplace(m_manifest->check_file(job.manifest_path, job.key));
  auto& check = started ? *started : *own;
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

ObjectOutcome ObjectChecker::check(const ObjectJob& job, ManifestVerifier::FileCheck* started)
{
  ObjectOutcome out;
  const bool tar =
      job.content == ObjectContent::BaseTar || job.content == ObjectContent::TablespaceTar;
  const bool feeds_manifest = m_manifest && job.content != ObjectContent::Opaque;
  try {
    auto source = m_storage.read(job.key);
    // Listed only (not cataloged): nothing to compare a SHA-256 with.
    const bool sha256 = job.in_catalog && (job.use_sha256 || job.expected_fast.empty());
    DigestingStream stream(*source, sha256, !sha256 || job.expected_fast.empty());
    try {
      if (feeds_manifest && tar)
        read_tar(stream, job, out.findings);
      else if (feeds_manifest)
        read_data_file(stream, job, started);
      drain(stream);
    } catch (...) {
      out.bytes_read = stream.bytes();
      throw;
    }
    out.bytes_read = stream.bytes();
    out.read = true;
    out.fast = stream.fast();
    if (job.use_sha256 || job.expected_fast.empty()) {
      const std::string sha256 = stream.sha256_hex();
      const std::size_t before = out.findings.items().size();
      compare_with_catalog(job, stream.bytes(), sha256, out.findings);
      if (job.in_catalog && job.expected_sha256 && out.findings.items().size() == before)
        out.verified_sha256 = sha256;
    } else {
      compare_fast_with_catalog(job, stream.bytes(), out.fast, out.findings);
    }
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
