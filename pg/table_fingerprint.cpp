#include "pg/table_fingerprint.hpp"

#include "common/error.hpp"
#include "pg/pg_connection.hpp"

#include <algorithm>
#include <map>
#include <pqxx/pqxx>

namespace lastgood::pg {
namespace {

// Every ordinary table whose rows pg_dump dumps: no catalogs, no temporary
// tables, no partitioned parents (their leaves are listed), no tables of
// extensions (pg_dump leaves their data to the extension).
const char* const kTablesQuery =
    "SELECT n.nspname, c.relname FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace"
    " WHERE c.relkind = 'r' AND c.relpersistence <> 't'"
    " AND n.nspname NOT IN ('pg_catalog', 'information_schema')"
    " AND n.nspname NOT LIKE 'pg\\_toast%' AND n.nspname NOT LIKE 'pg\\_temp\\_%'"
    " AND NOT EXISTS (SELECT 1 FROM pg_depend d WHERE d.classid = 'pg_class'::regclass"
    "                 AND d.objid = c.oid AND d.deptype = 'e')"
    " ORDER BY 1, 2";

// A row's text depends on these; source and restored copy must agree.
const char* const kOutputSettings =
    "SET LOCAL DateStyle = 'ISO, YMD'; SET LOCAL IntervalStyle = 'postgres';"
    " SET LOCAL extra_float_digits = 3; SET LOCAL TimeZone = 'UTC';"
    " SET LOCAL bytea_output = 'hex'; SET LOCAL lc_monetary = 'C'";

} // namespace

FingerprintMode parse_fingerprint_mode(std::string_view text)
{
  if (text == "none") return FingerprintMode::None;
  if (text == "counts") return FingerprintMode::Counts;
  if (text == "full") return FingerprintMode::Full;
  throw ValidationError("unknown fingerprint mode '" + std::string(text) +
                        "': use counts, full or none");
}

std::string to_string(FingerprintMode mode)
{
  switch (mode) {
  case FingerprintMode::None:
    return "none";
  case FingerprintMode::Counts:
    return "counts";
  case FingerprintMode::Full:
    return "full";
  }
  return "none";
}

DatabaseFingerprint fingerprint_in(pqxx::transaction_base& tx, FingerprintMode mode)
{
  DatabaseFingerprint out;
  out.mode = mode;
  if (mode == FingerprintMode::None) return out;
  tx.exec0(kOutputSettings);
  auto lsn = tx.exec1("SELECT CASE WHEN pg_is_in_recovery() THEN '' "
                      "ELSE pg_current_wal_lsn()::text END, current_database()");
  out.wal_lsn = lsn[0].as<std::string>();
  out.database_name = lsn[1].as<std::string>();
  for (const auto& row : tx.exec(kTablesQuery)) {
    TableFingerprint t;
    t.schema_name = row[0].as<std::string>();
    t.table_name = row[1].as<std::string>();
    const std::string name = quote_ident(t.schema_name) + "." + quote_ident(t.table_name);
    // ONLY: an inheritance parent's own rows (its children are listed too).
    if (mode == FingerprintMode::Full) {
      auto r = tx.exec1("SELECT count(*), coalesce(sum(hashtextextended(ROW(r.*)::text, 0)), 0)"
                        "::text FROM ONLY " +
                        name + " AS r");
      t.rows = r[0].as<std::int64_t>();
      t.content_hash = r[1].as<std::string>();
    } else {
      t.rows = tx.exec1("SELECT count(*) FROM ONLY " + name)[0].as<std::int64_t>();
    }
    out.tables.push_back(std::move(t));
  }
  return out;
}

HeldSnapshot::HeldSnapshot(const std::string& conninfo) : m_connection(connect(conninfo))
{
  try {
    m_tx =
        std::make_unique<pqxx::transaction<pqxx::repeatable_read, pqxx::read_only>>(*m_connection);
    m_id = m_tx->exec1("SELECT pg_export_snapshot()")[0].as<std::string>();
  } catch (const pqxx::failure& e) {
    throw DatabaseError(std::string("could not export a snapshot for pg_dump and the "
                                    "fingerprint: ") +
                        e.what());
  }
}

HeldSnapshot::~HeldSnapshot() = default;

DatabaseFingerprint HeldSnapshot::fingerprint(FingerprintMode mode)
{
  try {
    return fingerprint_in(*m_tx, mode);
  } catch (const pqxx::failure& e) {
    throw DatabaseError(std::string("could not fingerprint the source database: ") + e.what());
  }
}

DatabaseFingerprint fingerprint_database(const std::string& conninfo, FingerprintMode mode,
                                         const std::string& snapshot)
{
  auto connection = connect(conninfo);
  try {
    pqxx::transaction<pqxx::repeatable_read, pqxx::read_only> tx(*connection);
    if (!snapshot.empty()) tx.exec0("SET TRANSACTION SNAPSHOT " + tx.quote(snapshot));
    return fingerprint_in(tx, mode);
  } catch (const pqxx::failure& e) {
    throw DatabaseError(std::string("could not fingerprint the database: ") + e.what());
  }
}

std::vector<FingerprintDifference> compare_fingerprints(const DatabaseFingerprint& source,
                                                        const DatabaseFingerprint& restored)
{
  using Key = std::pair<std::string, std::string>;
  std::map<Key, const TableFingerprint*> in_restore;
  for (const auto& t : restored.tables)
    in_restore[{t.schema_name, t.table_name}] = &t;
  std::vector<FingerprintDifference> out;
  for (const auto& s : source.tables) {
    auto found = in_restore.find({s.schema_name, s.table_name});
    if (found == in_restore.end()) {
      out.push_back({s.schema_name, s.table_name,
                     std::to_string(s.rows) + " rows at backup, table missing from the restore"});
      continue;
    }
    const TableFingerprint& r = *found->second;
    in_restore.erase(found);
    if (s.rows != r.rows)
      out.push_back(
          {s.schema_name, s.table_name,
           std::to_string(s.rows) + " rows at backup, " + std::to_string(r.rows) + " restored"});
    else if (s.content_hash && r.content_hash && *s.content_hash != *r.content_hash)
      out.push_back(
          {s.schema_name, s.table_name,
           std::to_string(s.rows) + " rows at backup and restored, but their content differs"});
  }
  for (const auto& [key, r] : in_restore)
    out.push_back({key.first, key.second,
                   "not in the source at backup, " + std::to_string(r->rows) + " rows restored"});
  return out;
}

} // namespace lastgood::pg
