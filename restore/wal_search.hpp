#pragma once
// `wal search`: which transactions dropped, truncated, deleted from, updated
// or inserted into a table, read from the archived WAL with pg_waldump (each
// segment once; kept in the catalog), with the xid to stop just before each.
// The table's name is resolved to its OID and relation file from a live
// server (--dbname) or, when no server knows it any more, from pg_class of a
// test-restored base backup, or - created after that backup - from pg_class
// of the backup recovered to just before an event on its files; its relation
// files are then followed through TRUNCATE and rewrites by the exclusive
// locks those take on its OID. Followed forward from a base backup, WAL past
// the --before window is not read.

#include "catalog/database.hpp"
#include "common/config.hpp"
#include "pg/lsn.hpp"
#include "pg/relation_identity.hpp"
#include "restore/pitr_plan.hpp"

#include <cstdint>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

namespace lastgood::restore {

struct WalSearchRequest
{
  std::string database;
  std::string table;      // SCHEMA.TABLE (a bare TABLE means public.TABLE)
  std::string op = "any"; // drop | truncate | delete | update | insert | any
  std::optional<TimeUs> after, before;
  std::optional<std::string> cluster;
  std::optional<std::string> dbname; // a live server's connection string
  std::optional<std::uint32_t> timeline;
  int max_backup_restores = 2; // base backups restored to read pg_class
  // Recoveries of a base backup to just before an event, for a table created after it.
  int max_point_recoveries = 3;
  VerifyConfig verify;     // scratch clusters (run_as)
  std::string config_path; // for wal-fetch in those clusters
};

struct WalSearchHit
{
  std::uint32_t xid = 0;
  std::string operation; // the gravest: drop, truncate, rewrite, delete, update, insert
  std::vector<std::string> operations; // all of them
  std::optional<std::string> commit_time;
  pg::Lsn first_lsn, commit_lsn;
  std::uint32_t timeline = 0;
  std::uint64_t records = 0; // heap records on the table's files
  std::uint64_t rows_inserted = 0, rows_updated = 0, rows_deleted = 0;
  std::string restore_command, plan_command;
};

struct WalSearchResult
{
  std::string system_identifier;
  std::string database, schema, table;
  std::string op;
  bool resolved = false;
  std::optional<pg::RelationIdentity> identity;
  std::string resolved_from; // "live server (--dbname)" | "base backup ID (test-restored copy)"
  std::vector<std::string> notes;
  std::vector<WalSearchHit> hits;
  std::uint64_t segments_scanned = 0, segments_read = 0, segments_cached = 0;
  std::optional<std::string> first_segment, last_segment;
  // Set when reading stopped before the archive's end: this segment's commits
  // passed --before (a window read from a base backup needs no later WAL).
  std::optional<std::string> window_end_segment;
};

// Throws UsageError for a bad request, Error when the archive cannot be read.
WalSearchResult search_wal(catalog::Database& db, const WalSearchRequest& request);

nlohmann::json to_json(const WalSearchResult& result);

} // namespace lastgood::restore
