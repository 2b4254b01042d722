#pragma once
// Walks a cluster's archived segments along a timeline path and gives each
// one's transaction activity (pg/wal_activity.hpp): from the catalog when read
// before, else fetched from its repository (any kind, decompressed like
// wal-fetch) into a private directory beside the next segment, read with
// pg_waldump, and kept in the catalog.

#include "catalog/wal_chain.hpp"
#include "pg/wal_activity.hpp"
#include "restore/pitr_path.hpp"

#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace lastgood::storage {
class Storage;
}

namespace lastgood::restore {

struct ScannedSegment
{
  catalog::ArchivedFile file;
  pg::WalActivity activity;
};

class WalActivityScanner
{
public:
  WalActivityScanner(catalog::Database& db, catalog::WalChain& chain, std::uint64_t segment_size);
  ~WalActivityScanner();
  WalActivityScanner(const WalActivityScanner&) = delete;
  WalActivityScanner& operator=(const WalActivityScanner&) = delete;

  // The activity of segment segno read from timeline's file; nullopt when it
  // is not archived. Throws Error when it cannot be fetched or read.
  std::optional<ScannedSegment> read(std::uint32_t timeline, std::uint64_t segno);
  int segments_read() const { return m_read; }     // pg_waldump runs
  int segments_cached() const { return m_cached; } // answered by the catalog

private:
  std::string local_copy(const catalog::ArchivedFile& f);
  storage::Storage& storage_for(std::int64_t repository_id);

  catalog::Database& m_db;
  catalog::WalChain& m_chain;
  std::uint64_t m_segment_size;
  std::string m_dir;
  std::map<std::string, std::string> m_local; // segment name -> decompressed copy
  std::map<std::int64_t, std::unique_ptr<storage::Storage>> m_storages;
  int m_read = 0, m_cached = 0;
};

// Every archived segment along the path, oldest first, as spans per timeline
// (the whole archive of the path's timelines).
std::vector<SegmentSpan> archive_spans(catalog::Database& db, catalog::WalChain& chain,
                                       const std::vector<PathStep>& path,
                                       std::uint64_t segment_size);

// The path to the newest timeline the archive's history files reach from 1
// (or to `timeline`); throws Error naming the missing history file.
std::vector<PathStep> search_path(catalog::WalChain& chain, std::optional<std::uint32_t> timeline);

} // namespace lastgood::restore
