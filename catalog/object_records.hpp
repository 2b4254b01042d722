#pragma once
// The scan's writes to the objects table and the WAL tables derived from
// single objects, with statements prepared once per scan.

#include "catalog/database.hpp"
#include "catalog/object_reader.hpp"

#include <cstdint>
#include <optional>
#include <string>

namespace lastgood::catalog {

struct KnownObject
{
  std::int64_t id = 0;
  std::uint64_t size = 0;
  std::int64_t mtime_ns = 0;
  std::string etag;
  std::optional<std::string> sha256;
  bool missing = false;
  bool facts_outdated = false; // read by an older lastgood: facts it did not record yet
};

enum class RecordOutcome { New, Changed, Rehashed, Unreadable };

// Objects present in storage (as of an RFC 3339 moment) that the scan could
// not read or classify: junk, truncated or unreadable files in a repository.
std::int64_t count_objects_with_problems(Database& db, const std::string& as_of);

// Finds or creates the cluster row for a system identifier; fills in
// version and segment size when they were unknown.
std::int64_t ensure_cluster(Database& db, const std::string& system_identifier, int pg_major,
                            std::uint32_t wal_segment_size);

class ObjectRecords
{
public:
  ObjectRecords(Database& db, std::int64_t repository_id, std::int64_t scan_id, std::string now);

  std::optional<KnownObject> find(const std::string& key);
  // The object is as we last saw it: only its sighting is recorded.
  void mark_seen(const KnownObject& known);
  // Stores what reading the object found, replacing earlier facts about it;
  // an object that could not be read keeps its earlier facts.
  // Returns how the content relates to what the catalog had.
  RecordOutcome record(const ReadResult& result, const std::optional<KnownObject>& previous);

private:
  void record_wal_facts(std::int64_t object_id, const Classification& c);
  void record_carried_wal(std::int64_t object_id, const nlohmann::json& entries);

  Database& m_db;
  std::int64_t m_repository_id;
  std::int64_t m_scan_id;
  std::string m_now;
  Statement m_find, m_seen, m_insert, m_update;
};

} // namespace lastgood::catalog
