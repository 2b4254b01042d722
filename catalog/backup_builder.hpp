#pragma once
// Turns cataloged objects into backups: a dump file, a directory dump, or a
// base backup directory (plain or tar) becomes one backup with its member
// objects. Derived from the catalog alone, so it can be re-run at any time.

#include "catalog/database.hpp"

#include <cstdint>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <utility>
#include <vector>

namespace lastgood::catalog {

struct BuildSummary
{
  std::size_t backups = 0; // backups found in the repository
  std::size_t new_backups = 0;
};

// One cataloged object as the builders see it.
struct Member
{
  std::int64_t id;
  std::string key;
  std::string kind;
  std::uint64_t size;
  std::int64_t mtime_ns;
  nlohmann::json detail;
  std::optional<std::string> problem;
};

// What a backup is, as derived from its objects (or another tool's catalog).
struct BackupFacts
{
  std::string root_key;
  std::string kind; // logical | physical
  std::string format;
  std::optional<std::int64_t> cluster_id;
  std::optional<std::string> source; // the repository's; nullopt: the default source
  std::optional<std::string> database, label, start_time, stop_time, server_version, tool_version,
      compression, problem;
  std::optional<std::int64_t> start_lsn, stop_lsn, timeline, stop_timeline;
  std::vector<std::pair<std::int64_t, std::string>> members; // object id, role
  std::uint64_t size = 0;
};

// Every object at or under dir ("" = the whole repository), missing ones too:
// a backup whose file vanished must still show that file, as missing.
std::vector<Member> objects_under(Database& db, std::int64_t repository_id, const std::string& dir);

// Inserts or refreshes one backup; keeps its ID, status and first sighting.
// Returns whether it is new.
bool upsert_backup(Database& db, std::int64_t repository_id, const BackupFacts& f,
                   const std::string& now);

// Rebuilds the backups of one repository from its objects. Call inside a transaction.
BuildSummary build_backups(Database& db, std::int64_t repository_id, const std::string& now);

// Cross-repository facts: .backup history files complete physical backups
// (stop LSN/time), WAL history files inherit the cluster of the segments
// beside them, and backups with missing members are marked.
void link_wal_facts(Database& db, const std::string& now);

// The short, stable, human-typable ID: 20261122T0200-shop-7f3a.
std::string make_backup_id(const std::string& time_rfc3339, const std::string& name,
                           const std::string& stable_key, std::size_t hash_chars = 4);

} // namespace lastgood::catalog
