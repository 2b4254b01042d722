#pragma once
// What the transactions in one WAL segment did, read by pg_waldump: per
// transaction its first record, its commit or abort (time, dropped relation
// files, dropped relation statistics, subtransactions), the relation files its
// heap records touched (rows inserted, updated, deleted), the files it created
// and the relations it locked exclusively (Standby LOCK records carry the
// relation's OID, which TRUNCATE and rewrites do not change). What `wal search`
// and --target-xid read; kept per segment in the catalog (migration 0017).

#include <cstdint>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace lastgood::pg {

struct RelFile
{
  std::uint32_t tablespace = 0, database = 0, relfilenode = 0;
  auto operator<=>(const RelFile&) const = default;
};

struct RelationTouch
{
  RelFile file;
  std::uint64_t inserts = 0, updates = 0, deletes = 0, records = 0;
};

// A relation named by database OID and relation OID.
struct RelationOid
{
  std::uint32_t database = 0, oid = 0;
  auto operator<=>(const RelationOid&) const = default;
};

struct TransactionActivity
{
  std::uint32_t xid = 0;
  std::uint64_t first_lsn = 0;            // its first record in this segment
  std::optional<std::uint64_t> end_lsn;   // its commit/abort record, when in this segment
  std::optional<std::string> end_time;    // RFC 3339 UTC with microseconds
  std::string end_kind;                   // commit | abort | "" (not in this segment)
  std::vector<std::uint32_t> subxacts;    // from the commit record
  std::vector<RelationTouch> touches;     // user relations (relfilenode >= 16384)
  std::vector<RelFile> created;           // Storage CREATE
  std::vector<RelFile> dropped;           // the commit/abort record's "rels:"
  std::vector<RelationOid> locked;        // AccessExclusiveLock (Standby LOCK)
  std::vector<RelationOid> dropped_stats; // relation statistics dropped at commit (PG 15+)
  std::vector<RelationOid> truncated;     // Heap TRUNCATE (wal_level = logical only)
  std::uint64_t full_page_images = 0;     // XLOG FPI records (a rewrite writes many)
};

struct WalActivity
{
  std::vector<TransactionActivity> transactions; // in order of their first record
  std::uint64_t records = 0;                     // records read in the segment
};

// Parses `pg_waldump` output (TZ=UTC, all resource managers); records at or
// after `end_lsn` belong to the next segment and are left out.
WalActivity parse_wal_activity(std::string_view output, std::uint64_t end_lsn);

// Runs pg_waldump over [start_lsn, end_lsn) of `timeline` in `dir`, which holds
// the segment and, when available, the next one (a record crossing the end is
// read whole from it). Throws Error when pg_waldump is missing or reads nothing.
WalActivity read_wal_activity(const std::string& dir, std::uint32_t timeline,
                              std::uint64_t start_lsn, std::uint64_t end_lsn,
                              bool next_segment_present);

nlohmann::json to_json(const WalActivity& activity);
WalActivity wal_activity_from_json(const nlohmann::json& doc); // throws on a malformed document

} // namespace lastgood::pg
