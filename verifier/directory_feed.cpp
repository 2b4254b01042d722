#include "verifier/directory_feed.hpp"

#include "common/error.hpp"
#include "common/owned_temp.hpp"
#include "common/sha256.hpp"

#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <sys/stat.h>

namespace lastgood::verifier {

namespace fs = std::filesystem;

namespace {

// Read-ahead per member: pg_restore --jobs N reads N members at once.
constexpr std::size_t kMemberReadAhead = 8u << 20;

// TOC files are small and read by pg_restore with gets/seek-free reads too,
// but the leader reads toc.dat before any worker starts: a local copy keeps
// that simple. Members in subfolders are not pg_dump's: copied as they are.
bool copied_locally(const std::string& relative)
{
  const auto name = fs::path(relative).filename().string();
  return relative.find('/') != std::string::npos || name == "toc.dat" || name == "toc.dat.gz" ||
         name.ends_with(".toc") || name.ends_with(".toc.gz");
}

// Copies one object, hashing it; a finding when the bytes are not the cataloged ones.
StreamedObject copy_checked(storage::Storage& storage, const catalog::BackupObjectRow& object,
                            const fs::path& target, Findings& findings)
{
  fs::create_directories(target.parent_path());
  std::ofstream out(target, std::ios::binary);
  Sha256 hash;
  FeedOutcome outcome;
  std::vector<std::byte> buffer(1 << 20);
  try {
    auto in = storage.read(object.key);
    while (auto n = in->read(buffer)) {
      hash.update(std::span(buffer).first(n));
      outcome.bytes += n;
      out.write(reinterpret_cast<const char*>(buffer.data()), static_cast<std::streamsize>(n));
      if (!out) throw Error("cannot write " + target.string() + " (disk full?)");
    }
    out.close();
    if (!out) throw Error("cannot write " + target.string() + " (disk full?)");
    outcome.sha256 = hash.hex_digest();
  } catch (const StorageError& e) {
    if (dynamic_cast<const NotFoundError*>(&e)) throw; // a missing object, as everywhere
    outcome.read_error = e.what(); // cut or refused: a finding naming the object
  }
  findings.append(feed_findings(object, outcome));
  return {object, outcome};
}

} // namespace

bool streams_directory_dump(storage::Storage& storage, const catalog::BackupRow& backup)
{
  if (const char* hook = std::getenv("LASTGOOD_RESTORE_COPY_FIRST"); hook && *hook == '1')
    return false;
  return backup.format == "directory" && !storage.local_path(backup.root_key);
}

DirectoryFeed::DirectoryFeed(storage::Storage& storage, const catalog::BackupRow& backup,
                             const std::vector<catalog::BackupObjectRow>& objects)
{
  m_temp_dir = make_owned_temp_dir("stream"); // the pid in its name lets the next run clean up
  const auto name = fs::path(backup.root_key).filename().string();
  m_path = (fs::path(m_temp_dir) / (name.empty() ? "dump" : name)).string();
  fs::create_directories(m_path);
  const std::string prefix = backup.root_key.empty() ? "" : backup.root_key + "/";
  for (const auto& object : objects) {
    if (!object.key.starts_with(prefix) || object.key.size() == prefix.size()) continue;
    const std::string relative = object.key.substr(prefix.size());
    const fs::path target = fs::path(m_path) / relative;
    if (copied_locally(relative)) {
      m_streamed.push_back(copy_checked(storage, object, target, m_toc_findings));
      continue;
    }
    if (::mkfifo(target.c_str(), 0600) != 0)
      throw Error("could not make the named pipe " + target.string() + " to stream " + object.key +
                  ": " + std::strerror(errno) +
                  ". TMPDIR must be a local file system that allows FIFOs");
    m_members.push_back(
        {object, std::make_unique<DumpFeed>(storage, backup, object,
                                            DumpFeed::Options{.read_ahead_bytes = kMemberReadAhead,
                                                              .fifo_path = target.string()})});
  }
}

DirectoryFeed::~DirectoryFeed()
{
  m_members.clear(); // each feed unblocks and joins its threads
  std::error_code ignored;
  fs::remove_all(m_temp_dir, ignored);
}

std::string DirectoryFeed::note() const
{
  std::uint64_t copied = 0;
  for (const auto& toc : m_streamed)
    copied += toc.outcome.bytes;
  return "directory dump streamed: " + std::to_string(m_members.size()) +
         " data file(s) fed to pg_restore through FIFOs, only its TOC file(s) (" +
         std::to_string((copied + 1023) / 1024) + " KB) copied locally";
}

Findings DirectoryFeed::finish(storage::Storage& storage, bool hash_unopened)
{
  Findings findings = m_toc_findings;
  if (m_finished) return findings;
  m_finished = true;
  for (auto& member : m_members) {
    auto outcome = member.feed->finish();
    if (!member.feed->opened_by_tool()) {
      if (!hash_unopened) continue;
      outcome = hash_object(storage, member.object);
    }
    findings.append(feed_findings(member.object, outcome));
    m_streamed.push_back({member.object, outcome});
  }
  return findings;
}

} // namespace lastgood::verifier
