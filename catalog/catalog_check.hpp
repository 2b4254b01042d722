#pragma once
// `catalog check`: what in the catalog contradicts itself. Only checks that
// are cheap and certain (a finding is always a real inconsistency, never a
// judgement call): SQLite's own integrity and foreign keys, and the derived
// state a scan keeps (backups and their members, WAL facts, missing marks),
// which the next `scan` repairs.

#include "catalog/database.hpp"

#include <nlohmann/json.hpp>
#include <string>
#include <vector>

namespace lastgood::catalog {

struct Inconsistency
{
  std::string check;  // integrity | foreign_key | backup_membership | wal_facts | backup_missing
  std::string where;  // repository and key, table or backup ID
  std::string detail; // what is wrong
  std::string repair; // what to do
};

struct CatalogCheck
{
  std::string integrity = "ok"; // PRAGMA integrity_check's first line
  std::vector<Inconsistency> inconsistencies;
  bool clean() const { return inconsistencies.empty(); }
};

CatalogCheck check_catalog(Database& db);

nlohmann::json to_json(const CatalogCheck& check);

} // namespace lastgood::catalog
