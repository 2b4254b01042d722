#include "catalog/catalog_check.hpp"

#include "catalog/backup_membership.hpp"
#include "common/error.hpp"

#include <tuple>
#include <vector>

namespace lastgood::catalog {

namespace {

constexpr const char* kRescan = "run 'lastgood scan' (it rebuilds this), then check again";

// PostgreSQL owns the storage; amcheck (when the catalog's database has the
// extension) reads every catalog table and B-tree index for damage. Without
// it, claiming "ok" would be a check not made.
void check_postgres_integrity(Database& db, CatalogCheck& out)
{
  auto has_amcheck = db.prepare("SELECT count(*) FROM pg_extension WHERE extname = 'amcheck'");
  if (!has_amcheck.step() || has_amcheck.int64(0) == 0) {
    out.integrity = "not checked (PostgreSQL catalog: run CREATE EXTENSION amcheck in its "
                    "database so catalog check reads its tables and indexes, or use pg_amcheck)";
    return;
  }
  const std::string advice = "the catalog's database is damaged: restore it from a backup, or "
                             "export a sound copy and scan again";
  auto tables = db.prepare("SELECT c.oid, c.relname, c.relkind FROM pg_class c"
                           " WHERE c.relnamespace = current_schema()::regnamespace"
                           " AND (c.relkind = 'r' OR (c.relkind = 'i' AND c.relam ="
                           " (SELECT oid FROM pg_am WHERE amname = 'btree')))"
                           " ORDER BY c.relkind DESC, c.relname");
  std::vector<std::tuple<std::int64_t, std::string, std::string>> relations;
  while (tables.step())
    relations.emplace_back(tables.int64(0), tables.text(1), tables.text(2));
  out.integrity = "ok";
  for (const auto& [oid, name, kind] : relations) {
    try {
      if (kind == "r") {
        auto damage = db.prepare("SELECT blkno, coalesce(offnum, 0), msg FROM"
                                 " verify_heapam(?::bigint::oid::regclass)");
        damage.bind(1, oid);
        while (damage.step())
          out.inconsistencies.push_back(
              {"integrity", "table " + name,
               "block " + damage.text(0) + " item " + damage.text(1) + ": " + damage.text(2),
               advice});
      } else {
        auto check = db.prepare("SELECT bt_index_check(?::bigint::oid::regclass, true)");
        check.bind(1, oid);
        check.step();
      }
    } catch (const DatabaseError& e) {
      out.inconsistencies.push_back(
          {"integrity", (kind == "r" ? "table " : "index ") + name, e.what(), advice});
    }
  }
  if (!out.inconsistencies.empty()) out.integrity = out.inconsistencies.front().detail;
}

void check_integrity(Database& db, CatalogCheck& out)
{
  if (db.engine() == Engine::Postgres) return check_postgres_integrity(db, out);
  auto s = db.prepare("PRAGMA integrity_check");
  bool first = true;
  while (s.step()) {
    const auto line = s.text(0);
    if (first) out.integrity = line;
    first = false;
    if (line != "ok")
      out.inconsistencies.push_back({"integrity", db.path(), line,
                                     "the catalog file is damaged: restore it from a copy, or run "
                                     "'lastgood catalog init' on a new file and scan again"});
  }
}

void check_foreign_keys(Database& db, CatalogCheck& out)
{
  if (db.engine() == Engine::Postgres) return; // enforced by the server on every change
  auto s = db.prepare("PRAGMA foreign_key_check");
  while (s.step())
    out.inconsistencies.push_back(
        {"foreign_key", s.text(0) + " row " + s.text(1),
         "refers to a " + s.text(2) + " row that does not exist",
         "report this as a lastgood bug, with the output of 'lastgood catalog check --json'"});
}

void check_backup_membership(Database& db, CatalogCheck& out)
{
  auto repos =
      db.prepare("SELECT id, name FROM repositories WHERE removed_at IS NULL ORDER BY name");
  while (repos.step()) {
    const auto name = repos.text(1);
    for (const auto& m : objects_missing_from_backups(db, repos.int64(0)))
      out.inconsistencies.push_back(
          {"backup_membership", name + ": " + m.key,
           m.backup_exists
               ? "is part of backup " + (m.root_key.empty() ? "(repository root)" : m.root_key) +
                     " but not among its members"
               : "classifies as part of a backup at " +
                     (m.root_key.empty() ? "(repository root)" : m.root_key) +
                     ", which is not in the catalog",
           kRescan});
  }
}

void check_wal_facts(Database& db, CatalogCheck& out)
{
  auto s = db.prepare(
      "SELECT r.name, o.key, o.kind FROM objects o JOIN repositories r ON r.id = o.repository_id"
      " WHERE r.removed_at IS NULL AND o.missing_since IS NULL AND o.deleted_at IS NULL AND ("
      " (o.kind IN ('wal_segment', 'wal_partial') AND NOT EXISTS"
      "  (SELECT 1 FROM wal_segments w WHERE w.object_id = o.id))"
      " OR (o.kind = 'wal_backup_history' AND NOT EXISTS"
      "  (SELECT 1 FROM backup_history_files h WHERE h.object_id = o.id)))"
      " ORDER BY r.name, o.key");
  while (s.step())
    out.inconsistencies.push_back({"wal_facts", s.text(0) + ": " + s.text(1),
                                   "is a " + s.text(2) + " without its WAL facts", kRescan});
}

// A backup is missing exactly when one of its members is (scan's link_wal_facts).
void check_backup_missing(Database& db, CatalogCheck& out)
{
  auto s = db.prepare(
      "SELECT b.backup_id, b.missing_since IS NOT NULL FROM backups b"
      " WHERE b.deleted_at IS NULL AND (b.missing_since IS NOT NULL) <> EXISTS ("
      " SELECT 1 FROM backup_objects bo JOIN objects o ON o.id = bo.object_id"
      " WHERE bo.backup_id = b.id AND o.missing_since IS NOT NULL) ORDER BY b.backup_id");
  while (s.step())
    out.inconsistencies.push_back({"backup_missing", s.text(0),
                                   s.int64(1) ? "is marked missing but all its objects are present"
                                              : "has a missing object but is not marked missing",
                                   kRescan});
}

} // namespace

CatalogCheck check_catalog(Database& db)
{
  CatalogCheck out;
  check_integrity(db, out);
  if (!out.clean()) return out; // a damaged catalog: nothing else can be trusted
  check_foreign_keys(db, out);
  check_backup_membership(db, out);
  check_wal_facts(db, out);
  check_backup_missing(db, out);
  return out;
}

nlohmann::json to_json(const CatalogCheck& check)
{
  nlohmann::json list = nlohmann::json::array();
  for (const auto& i : check.inconsistencies)
    list.push_back(
        {{"check", i.check}, {"where", i.where}, {"detail", i.detail}, {"repair", i.repair}});
  return {{"clean", check.clean()}, {"integrity", check.integrity}, {"inconsistencies", list}};
}

} // namespace lastgood::catalog
