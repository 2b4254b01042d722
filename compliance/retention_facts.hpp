#pragma once
// What retention decides from: the facts about each backup and each archived
// WAL segment, read from the catalog (load_*), or built by hand in tests.

#include "catalog/database.hpp"
#include "common/time.hpp"

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <vector>

namespace lastgood::compliance {

struct HoldFact
{
  std::int64_t id = 0;
  std::string reason;
  std::optional<TimePoint> until; // nullopt: until released
  bool released = false;
  bool active_at(TimePoint now) const { return !released && (!until || *until > now); }
};

// An object whose storage lock (S3 Object Lock retain-until) was recorded.
struct StorageLock
{
  std::string key;
  TimePoint until;
};

struct BackupFacts
{
  std::int64_t row_id = 0;
  std::string backup_id, repository, kind, status; // kind: logical | physical
  std::string root_key;                            // the file or directory that is the backup
  bool repository_active = true;
  std::optional<std::string> database, system_identifier, missing_since;
  std::optional<std::string> source; // the server a dump came from; nullopt: the default source
  std::optional<TimePoint> time;     // the backup's own time: stop time, else start time
  std::optional<std::int64_t> start_lsn, stop_lsn, timeline, stop_timeline;
  std::uint64_t size_bytes = 0;
  bool last_good = false; // the last known good backup of its database or cluster
  std::vector<HoldFact> holds;
  std::vector<StorageLock> locks;
};

struct WalSegmentFacts
{
  std::int64_t object_id = 0;
  std::string repository, key, name; // name: canonical 24-character segment name
  bool repository_active = true;
  std::optional<std::string> system_identifier; // from the segment's header; nullopt: unknown
  std::uint32_t timeline = 0;
  std::uint64_t segno = 0, segment_size = 0, size = 0;
  bool partial = false;
  std::optional<TimePoint> retain_until;
};

// Which database or cluster a "last known good" question is about.
struct GoodScope
{
  std::optional<std::string> database;
  std::optional<std::string> source; // with database: the source name ("default" for none)
  std::optional<std::string> system_identifier;
};
// Answers with the backup ID of the last known good backup in a scope (the
// cli wires restore::pick_last_good here; compliance does not reach up to it).
using LastGoodLookup = std::function<std::optional<std::string>(const GoodScope&)>;

// Every backup not yet deleted, with its holds and recorded storage locks; the
// last known good of every database of each source (logical) and cluster (physical) flagged
// through `last_good`.
std::vector<BackupFacts> load_backup_facts(catalog::Database& db, const LastGoodLookup& last_good);
// Every archived WAL segment (and .partial) not deleted and not missing.
std::vector<WalSegmentFacts> load_wal_facts(catalog::Database& db);

} // namespace lastgood::compliance
