#include "restore/commit_times.hpp"

#include "catalog/commit_time_cache.hpp"
#include "catalog/repositories.hpp"
#include "common/error.hpp"
#include "common/owned_temp.hpp"
#include "pg/child_process.hpp"
#include "pg/decompress.hpp"
#include "restore/pgbackrest_wal.hpp"
#include "restore/pitr_time.hpp"
#include "storage/storage.hpp"

#include <filesystem>
#include <fstream>
#include <map>
#include <memory>
#include <vector>

namespace lastgood::restore {

namespace {

namespace fs = std::filesystem;
constexpr int kMaxSegmentsRead = 12;

// A private scratch directory for decompressed segments, removed on exit.
class ScratchDir
{
public:
  ScratchDir()
  {
    m_path = make_owned_temp_dir("waldump"); // the pid in its name lets the next run clean up
  }
  ~ScratchDir()
  {
    std::error_code ec;
    fs::remove_all(m_path, ec);
  }
  ScratchDir(const ScratchDir&) = delete;
  ScratchDir& operator=(const ScratchDir&) = delete;
  const std::string& path() const { return m_path; }

private:
  std::string m_path;
};

class SegmentReader
{
public:
  SegmentReader(catalog::Database& db, CipherPassLookup cipher_pass)
      : m_db(db), m_cipher_pass(std::move(cipher_pass))
  {
  }

  // Commit times of the archived file, from the cache or pg_waldump.
  pg::CommitTimes times(const catalog::ArchivedFile& f)
  {
    if (auto cached = catalog::cached_commit_times(m_db, f.object_id, f.sha256)) return *cached;
    if (!m_dir) m_dir = std::make_unique<ScratchDir>();
    auto local = fs::path(m_dir->path()) / f.name;
    {
      auto source = open(f);
      std::ofstream out(local, std::ios::binary | std::ios::trunc);
      std::vector<std::byte> buf(1 << 20);
      while (auto n = source->read(buf))
        out.write(reinterpret_cast<const char*>(buf.data()), static_cast<std::streamsize>(n));
      if (!out) throw Error("cannot write " + local.string() + " (disk full?)");
    }
    ++m_read;
    auto t = pg::read_commit_times(m_dir->path(), f.name);
    fs::remove(local);
    catalog::store_commit_times(m_db, f.object_id, f.sha256, t);
    return t;
  }
  int segments_read() const { return m_read; }

private:
  // pgBackRest's archive (<segment>-<sha1>[.ext]) may be encrypted.
  std::unique_ptr<storage::ReadStream> open(const catalog::ArchivedFile& f)
  {
    auto& storage = storage_for(f.repository_id);
    const auto pgbackrest =
        formats::pgbackrest::parse_archive_file_name(fs::path(f.key).filename().string());
    if (!pgbackrest || !pgbackrest->sha1)
      return pg::decompressing_stream(storage.read(f.key), f.compression);
    const auto cipher_pass =
        pgbackrest_archive_cipher_pass(storage, f.key, f.repository, m_cipher_pass);
    return pgbackrest_wal_stream(storage.read(f.key), *pgbackrest, f.key, cipher_pass);
  }

  storage::Storage& storage_for(std::int64_t repository_id)
  {
    auto& slot = m_storages[repository_id];
    if (!slot) {
      auto url = catalog::repository_url(m_db, repository_id);
      if (!url)
        throw Error("repository " + std::to_string(repository_id) + " is not in the catalog");
      slot = storage::open_storage(*url);
    }
    return *slot;
  }

  catalog::Database& m_db;
  CipherPassLookup m_cipher_pass;
  std::unique_ptr<ScratchDir> m_dir;
  std::map<std::int64_t, std::unique_ptr<storage::Storage>> m_storages;
  int m_read = 0;
};

// "2026-11-22T04:11:02Z" -> "2026-11-22T04:11:02.000000Z": fixed width compares as text.
std::string fixed_width(TimeUs t)
{
  auto s = format_target_time(t);
  return s.find('.') == std::string::npos ? s.substr(0, s.size() - 1) + ".000000Z" : s;
}

} // namespace

std::optional<bool> written_before(catalog::Database& db, catalog::WalChain& chain,
                                   const std::vector<PathStep>& path, pg::Lsn lsn, TimeUs target,
                                   std::uint64_t segment_size, const CipherPassLookup& cipher_pass)
{
  try {
    (void)pg::find_pg_program("pg_waldump");
    SegmentReader reader(db, cipher_pass);
    const auto t = fixed_width(target);
    auto first = pg::segment_of(lsn, segment_size);
    for (auto segno = first; segno <= first + 1; ++segno) {
      auto f = chain.segment(timeline_of_segment(path, segno, segment_size), segno);
      if (!f) return std::nullopt;
      auto times = reader.times(*f);
      if (times.first_lsn && *times.first_lsn >= lsn.value && times.first_time &&
          *times.first_time <= t)
        return true;
      if (times.latest_lsn && *times.latest_lsn >= lsn.value && times.latest_time &&
          *times.latest_time <= t)
        return true;
      if (times.first_lsn && *times.first_lsn >= lsn.value)
        return false; // first commit after lsn is after target
    }
  } catch (const Error&) {
  }
  return std::nullopt;
}

RefinedTarget refine_with_commit_times(catalog::Database& db, catalog::WalChain& chain,
                                       const std::vector<PathStep>& path, TimeUs target,
                                       std::uint64_t first, std::uint64_t end, std::uint64_t guess,
                                       std::uint64_t segment_size,
                                       const CipherPassLookup& cipher_pass)
{
  RefinedTarget r;
  try {
    (void)pg::find_pg_program("pg_waldump");
  } catch (const Error&) {
    r.notes.push_back("pg_waldump is not installed: target time not refined with commit records");
    return r;
  }
  const std::string t = format_target_time(target);
  SegmentReader reader(db, cipher_pass);
  int budget = kMaxSegmentsRead;
  std::optional<std::uint64_t> missing; // a segment the scan needed that is not archived
  // Whether segno holds a commit after the target; nullopt when it cannot tell.
  auto after = [&](std::uint64_t segno) -> std::optional<bool> {
    auto tli = timeline_of_segment(path, segno, segment_size);
    auto f = chain.segment(tli, segno);
    if (!f) missing = segno;
    if (!f || budget-- <= 0) return std::nullopt;
    auto times = reader.times(*f);
    return times.latest_time && *times.latest_time > fixed_width(target);
  };
  try {
    std::uint64_t s = std::clamp(guess, first, end);
    auto here = after(s);
    if (!here) {
      r.notes.push_back("commit records not read (segment unavailable or too many to read)");
      return r;
    }
    if (*here) {
      while (s > first) {
        auto before = after(s - 1);
        if (!before) break;
        if (!*before) break;
        --s;
      }
      r.segno = s;
      r.evidence = "segment " +
                   pg::wal_file_name(timeline_of_segment(path, s, segment_size), s, segment_size) +
                   " holds the first commit after " + t;
      return r;
    }
    while (s < end) {
      auto next = after(s + 1);
      if (!next && missing == s + 1) {
        // Every commit read so far is before the target and the next segment
        // is not archived: recovery would need it, so the plan must too
        // (archive times cannot vouch for a target beyond a gap).
        r.segno = s + 1;
        r.evidence =
            "commit records up to " +
            pg::wal_file_name(timeline_of_segment(path, s, segment_size), s, segment_size) +
            " are all before " + t + ", and the next segment is not archived";
        return r;
      }
      if (!next) {
        r.notes.push_back(
            "commit records read up to " +
            pg::wal_file_name(timeline_of_segment(path, s, segment_size), s, segment_size) +
            " without finding a commit after the target; mapping left approximate");
        return r;
      }
      ++s;
      if (*next) {
        r.segno = s;
        r.evidence =
            "segment " +
            pg::wal_file_name(timeline_of_segment(path, s, segment_size), s, segment_size) +
            " holds the first commit after " + t;
        return r;
      }
    }
    r.segno = end;
    r.after_end = true;
    r.evidence = "no archived commit is after " + t;
  } catch (const Error& e) {
    r.segno.reset();
    r.notes.push_back(std::string("commit records could not be read: ") + e.what());
  }
  return r;
}

} // namespace lastgood::restore
