#include "verifier/pgbackrest_wal_range.hpp"

#include "common/error.hpp"
#include "formats/pgbackrest/archive_layout.hpp"
#include "formats/pgbackrest/sha1.hpp"
#include "pg/lsn.hpp"
#include "pg/wal_page_header.hpp"
#include "verifier/object_access.hpp"

#include <optional>
#include <vector>

namespace lastgood::verifier {

namespace {

namespace fk = finding_kind;
namespace pgbr = formats::pgbackrest;

// A range longer than this is a damaged manifest, not a backup.
constexpr std::uint64_t kMostSegments = 1u << 20;

struct SegmentName
{
  std::uint32_t timeline = 0;
  std::uint64_t log = 0, seg = 0;
};

std::optional<SegmentName> parse_segment_name(const std::string& name)
{
  if (name.size() != 24 || name.find_first_not_of("0123456789ABCDEF") != std::string::npos)
    return std::nullopt;
  return SegmentName{static_cast<std::uint32_t>(std::stoul(name.substr(0, 8), nullptr, 16)),
                     std::stoull(name.substr(8, 8), nullptr, 16),
                     std::stoull(name.substr(16, 8), nullptr, 16)};
}

struct ReadSegment
{
  std::string key;
  std::string sha1; // of the bytes after decryption and decompression
  std::uint64_t bytes = 0;
  std::string head; // the first 64 bytes
  std::optional<std::string> named_sha1;
};

class RangeChecker
{
public:
  RangeChecker(storage::Storage& repo, const std::string& stanza, const pgbr::ArchiveInfo& archive,
               const pgbr::Manifest& manifest, std::string archive_id, Findings& findings)
      : m_repo(repo), m_stanza(stanza), m_archive(archive), m_manifest(manifest),
        m_archive_id(std::move(archive_id)), m_findings(findings)
  {
  }

  // nullopt: not in the archive, or unusable (then `reported`: a finding says why).
  std::optional<ReadSegment> read(const std::string& name, bool& reported)
  {
    reported = true;
    std::optional<std::string> key;
    try {
      key = pgbr::locate_segment(m_repo, m_stanza, m_archive_id, name);
    } catch (const ValidationError& e) {
      m_findings.add(fk::checksum_mismatch, Severity::Failure,
                     pgbr::segment_dir_key(m_stanza, m_archive_id, name), e.what());
      return std::nullopt;
    }
    reported = false;
    if (!key) return std::nullopt;
    reported = true;
    ReadSegment out;
    out.key = *key;
    const auto parsed = pgbr::parse_archive_file_name(key->substr(key->rfind('/') + 1));
    out.named_sha1 = parsed ? parsed->sha1 : std::nullopt;
    std::vector<std::unique_ptr<pgbr::Transform>> chain;
    if (m_archive.cipher_pass) chain.push_back(pgbr::make_decryptor(*m_archive.cipher_pass));
    if (parsed && parsed->compression != pgbr::CompressType::none)
      chain.push_back(pgbr::make_decompressor(parsed->compression));
    try {
      auto in = pgbr::transform_stream(m_repo.read(*key), std::move(chain), *key);
      pgbr::Sha1 hash;
      std::vector<std::byte> buffer(256 * 1024);
      while (std::size_t n = in->read(buffer)) {
        if (out.head.size() < 64)
          out.head.append(reinterpret_cast<const char*>(buffer.data()),
                          std::min<std::size_t>(n, 64 - out.head.size()));
        hash.update(std::span(buffer.data(), n));
        out.bytes += n;
      }
      out.sha1 = hash.hex_digest();
      reported = false;
    } catch (const NotFoundError&) {
      reported = false; // removed since it was listed: missing
      return std::nullopt;
    } catch (const ValidationError& e) {
      m_findings.add(fk::checksum_mismatch, Severity::Failure, *key,
                     std::string(e.what()) + ": WAL segment " + name +
                         " cannot be decompressed (it is damaged)");
      return std::nullopt;
    } catch (const StorageError& e) {
      m_findings.add(unreadable_finding(*key, e.what()));
      return std::nullopt;
    }
    return out;
  }

  void check(const std::string& name, std::uint64_t segno, std::uint64_t segment_size,
             const ReadSegment& s)
  {
    auto fail = [&](const std::string& what) {
      m_findings.add(fk::checksum_mismatch, Severity::Failure, s.key,
                     "WAL segment " + name + " (" + s.key + "), needed by backup " +
                         m_manifest.label + ": " + what);
    };
    if (s.named_sha1 && s.sha1 != *s.named_sha1)
      return fail("its SHA-1 is " + s.sha1 + ", its name says " + *s.named_sha1 +
                  " (the segment is damaged)");
    if (s.bytes != segment_size)
      return fail("it holds " + std::to_string(s.bytes) + " bytes, not a whole segment of " +
                  std::to_string(segment_size) + " (truncated)");
    const auto header = pg::parse_wal_long_page_header(s.head);
    if (!header) return fail("it has no valid WAL page header at offset 0");
    if (header->system_identifier != m_manifest.system_id)
      return fail("its page header names cluster " + std::to_string(header->system_identifier) +
                  ", not " + std::to_string(m_manifest.system_id) + " (another cluster's WAL)");
    const auto named = parse_segment_name(name);
    if (named && header->timeline > named->timeline)
      return fail("its page header is of timeline " + std::to_string(header->timeline) +
                  ", newer than its name's " + std::to_string(named->timeline));
    if (header->page_address != segno * segment_size)
      return fail("it starts at " + pg::Lsn{header->page_address}.str() + ", not " +
                  pg::Lsn{segno * segment_size}.str() + " as its name says (renamed or damaged)");
  }

private:
  storage::Storage& m_repo;
  const std::string& m_stanza;
  const pgbr::ArchiveInfo& m_archive;
  const pgbr::Manifest& m_manifest;
  std::string m_archive_id;
  Findings& m_findings;
};

std::optional<std::string> archive_id_of(const pgbr::ArchiveInfo& archive,
                                         const pgbr::Manifest& manifest)
{
  std::vector<pgbr::ArchiveHistoryEntry> entries = archive.history;
  entries.push_back(archive.current);
  for (const auto& e : entries)
    if (e.id == manifest.db_id && e.system_id == manifest.system_id) return e.archive_id();
  return std::nullopt;
}

} // namespace

Findings check_pgbackrest_wal_range(storage::Storage& repo, const std::string& stanza,
                                    const pgbr::ArchiveInfo& archive,
                                    const pgbr::Manifest& manifest,
                                    std::uint64_t fallback_segment_size)
{
  Findings findings;
  const std::string manifest_key = "backup/" + stanza + "/" + manifest.label + "/backup.manifest";
  if (manifest.archive_start.empty() && manifest.archive_stop.empty() && !manifest.online)
    return findings; // an offline backup is consistent by itself
  const auto start = parse_segment_name(manifest.archive_start);
  const auto stop = parse_segment_name(manifest.archive_stop);
  if (!start || !stop) {
    findings.add(fk::manifest_invalid, Severity::Failure, manifest_key,
                 "archive-start '" + manifest.archive_start + "' or archive-stop '" +
                     manifest.archive_stop +
                     "' is not a WAL segment name: the WAL this backup needs is unknown");
    return findings;
  }
  const auto archive_id = archive_id_of(archive, manifest);
  if (!archive_id) {
    findings.add(fk::manifest_invalid, Severity::Failure, "archive/" + stanza + "/archive.info",
                 "archive.info has no archive for db-id " + std::to_string(manifest.db_id) +
                     " of system identifier " + std::to_string(manifest.system_id) +
                     ", which backup " + manifest.label + " needs its WAL from");
    return findings;
  }
  RangeChecker checker(repo, stanza, archive, manifest, *archive_id, findings);
  // The first segment tells the segment size; the catalog's is the fallback.
  bool first_reported = false;
  auto first = checker.read(manifest.archive_start, first_reported);
  std::uint64_t segment_size = fallback_segment_size;
  if (first)
    if (auto h = pg::parse_wal_long_page_header(first->head);
        h && pg::valid_segment_size(h->segment_size))
      segment_size = h->segment_size;
  const auto per_id = pg::segments_per_xlogid(segment_size);
  const std::uint64_t first_segno = start->log * per_id + start->seg;
  const std::uint64_t last_segno = stop->log * per_id + stop->seg;
  if (last_segno < first_segno || last_segno - first_segno > kMostSegments ||
      start->seg >= per_id || stop->seg >= per_id) {
    findings.add(fk::manifest_invalid, Severity::Failure, manifest_key,
                 "archive-start " + manifest.archive_start + " to archive-stop " +
                     manifest.archive_stop + " is not a WAL range of " +
                     std::to_string(segment_size) + "-byte segments");
    return findings;
  }
  const std::string range = manifest.archive_start + ".." + manifest.archive_stop;
  std::vector<std::uint32_t> timelines = {stop->timeline};
  if (start->timeline != stop->timeline) timelines.push_back(start->timeline);
  for (auto segno = first_segno; segno <= last_segno; ++segno) {
    std::optional<ReadSegment> found;
    std::string name;
    bool reported = false;
    for (auto tl : timelines) {
      name = pg::wal_file_name(tl, segno, segment_size);
      if (name == manifest.archive_start) {
        found = std::move(first);
        reported = first_reported;
      } else {
        found = checker.read(name, reported);
      }
      if (found || reported) break;
    }
    if (!found) {
      if (reported) continue; // there but unusable: said already
      findings.add(fk::missing_wal, Severity::Failure,
                   pgbr::segment_dir_key(stanza, *archive_id, name) + "/" + name,
                   "WAL segment " + name + " is not in " +
                       pgbr::archive_dir_key(stanza, *archive_id) + ", but backup " +
                       manifest.label + " needs every segment of " + range +
                       " to become consistent: it cannot be restored",
                   {{"segment", name}, {"range", range}});
      continue;
    }
    checker.check(name, segno, segment_size, *found);
  }
  return findings;
}

} // namespace lastgood::verifier
