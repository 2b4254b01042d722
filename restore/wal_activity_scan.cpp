#include "restore/wal_activity_scan.hpp"

#include "catalog/repositories.hpp"
#include "catalog/wal_activity_cache.hpp"
#include "common/error.hpp"
#include "common/owned_temp.hpp"
#include "pg/decompress.hpp"
#include "pg/lsn.hpp"
#include "restore/pitr_time.hpp"
#include "storage/storage.hpp"

#include <algorithm>
#include <cstdio>
#include <filesystem>
#include <fstream>

namespace lastgood::restore {

namespace fs = std::filesystem;

WalActivityScanner::WalActivityScanner(catalog::Database& db, catalog::WalChain& chain,
                                       std::uint64_t segment_size)
    : m_db(db), m_chain(chain), m_segment_size(segment_size)
{
}

WalActivityScanner::~WalActivityScanner()
{
  if (m_dir.empty()) return;
  std::error_code ec;
  fs::remove_all(m_dir, ec);
}

storage::Storage& WalActivityScanner::storage_for(std::int64_t repository_id)
{
  auto& slot = m_storages[repository_id];
  if (!slot) {
    auto url = catalog::repository_url(m_db, repository_id);
    if (!url) throw Error("repository " + std::to_string(repository_id) + " is not in the catalog");
    slot = storage::open_storage(*url);
  }
  return *slot;
}

std::string WalActivityScanner::local_copy(const catalog::ArchivedFile& f)
{
  if (auto it = m_local.find(f.name); it != m_local.end()) return it->second;
  if (m_dir.empty()) m_dir = make_owned_temp_dir("walsearch");
  const auto local = (fs::path(m_dir) / f.name).string();
  auto source = pg::decompressing_stream(storage_for(f.repository_id).read(f.key), f.compression);
  std::ofstream out(local, std::ios::binary | std::ios::trunc);
  std::vector<std::byte> buf(1 << 20);
  while (auto n = source->read(buf))
    out.write(reinterpret_cast<const char*>(buf.data()), static_cast<std::streamsize>(n));
  out.close();
  if (!out) throw Error("cannot write " + local + " (disk full? set TMPDIR to a larger disk)");
  m_local[f.name] = local;
  return local;
}

std::optional<ScannedSegment> WalActivityScanner::read(std::uint32_t timeline, std::uint64_t segno)
{
  auto f = m_chain.segment(timeline, segno);
  if (!f) return std::nullopt;
  if (auto cached = catalog::cached_wal_activity(m_db, f->object_id, f->sha256)) {
    ++m_cached;
    return ScannedSegment{*f, std::move(*cached)};
  }
  local_copy(*f);
  // The next segment of the same file timeline, so a record crossing the end is read whole.
  auto next = m_chain.segment(timeline, segno + 1);
  if (next) local_copy(*next);
  // Copies other than these two are done with (the walk goes forward).
  for (auto it = m_local.begin(); it != m_local.end();) {
    if (it->first != f->name && (!next || it->first != next->name)) {
      std::error_code ec;
      fs::remove(it->second, ec);
      it = m_local.erase(it);
    } else {
      ++it;
    }
  }
  auto activity =
      pg::read_wal_activity(m_dir, timeline, pg::segment_start(segno, m_segment_size).value,
                            pg::segment_start(segno + 1, m_segment_size).value, next.has_value());
  ++m_read;
  catalog::store_wal_activity(m_db, f->object_id, f->sha256, activity);
  return ScannedSegment{*f, std::move(activity)};
}

std::vector<SegmentSpan> archive_spans(catalog::Database& db, catalog::WalChain& chain,
                                       const std::vector<PathStep>& path,
                                       std::uint64_t segment_size)
{
  std::optional<std::uint64_t> first, last;
  for (const auto& step : path) {
    if (auto lo = catalog::min_usable_segno(db, chain.cluster_id(), step.timeline))
      first = first ? std::min(*first, *lo) : *lo;
    if (auto hi = chain.max_segno(step.timeline)) last = last ? std::max(*last, *hi) : *hi;
  }
  if (!first || !last) return {};
  return segment_spans(path, *first, *last, segment_size);
}

std::vector<PathStep> search_path(catalog::WalChain& chain, std::optional<std::uint32_t> timeline)
{
  const auto& histories = chain.histories();
  const auto target = timeline.value_or(latest_timeline(histories, 1));
  auto path = timeline_path(histories, target);
  if (!path) {
    char name[32];
    std::snprintf(name, sizeof name, "%08X.history", target);
    throw Error(std::string("timeline history file ") + name +
                " is not in the archive: cannot tell which WAL belongs to timeline " +
                std::to_string(target) + "; archive it and scan");
  }
  return *path;
}

} // namespace lastgood::restore
