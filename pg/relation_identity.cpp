#include "pg/relation_identity.hpp"

#include "common/error.hpp"
#include "common/redact.hpp"
#include "pg/pg_connection.hpp"

#include <pqxx/pqxx>

namespace lastgood::pg {

std::optional<RelationIdentity> lookup_relation(const std::string& conninfo,
                                                const std::string& database,
                                                const std::string& schema, const std::string& table)
{
  auto conn = connect(conninfo, "--dbname");
  try {
    pqxx::nontransaction tx(*conn);
    auto db = tx.exec1("SELECT current_database(), (SELECT oid FROM pg_database WHERE datname = "
                       "current_database())::bigint,"
                       " (SELECT dattablespace FROM pg_database WHERE datname = "
                       "current_database())::bigint");
    if (db[0].as<std::string>() != database)
      throw UsageError("--dbname connects to database " + db[0].as<std::string>() + ", not " +
                       database + ": give a connection string to " + database);
    auto rows = tx.exec_params(
        "SELECT c.oid::bigint, c.reltablespace::bigint, pg_relation_filenode(c.oid)::bigint"
        " FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace"
        " WHERE n.nspname = $1 AND c.relname = $2 AND c.relkind IN ('r', 'p', 'm')",
        schema, table);
    if (rows.empty()) return std::nullopt;
    RelationIdentity r;
    r.database_oid = static_cast<std::uint32_t>(db[1].as<std::int64_t>());
    r.oid = static_cast<std::uint32_t>(rows[0][0].as<std::int64_t>());
    auto tablespace = rows[0][1].as<std::int64_t>();
    r.tablespace_oid =
        static_cast<std::uint32_t>(tablespace ? tablespace : db[2].as<std::int64_t>());
    if (!rows[0][2].is_null())
      r.relfilenode = static_cast<std::uint32_t>(rows[0][2].as<std::int64_t>());
    return r;
  } catch (const pqxx::failure& e) {
    throw DatabaseError("cannot look up " + schema + "." + table + " on " + redact(conninfo) +
                        ": " + e.what());
  }
}

std::uint32_t current_database_oid(const std::string& conninfo)
{
  auto conn = connect(conninfo, "--dbname");
  try {
    pqxx::nontransaction tx(*conn);
    return static_cast<std::uint32_t>(
        tx.exec1("SELECT oid::bigint FROM pg_database WHERE datname = current_database()")[0]
            .as<std::int64_t>());
  } catch (const pqxx::failure& e) {
    throw DatabaseError("cannot read the database's OID on " + redact(conninfo) + ": " + e.what());
  }
}

std::vector<NamedRelationFile> relation_files(const std::string& conninfo)
{
  auto conn = connect(conninfo, "--dbname");
  try {
    pqxx::nontransaction tx(*conn);
    auto rows = tx.exec(
        "SELECT d.oid::bigint, c.oid::bigint,"
        " (CASE c.reltablespace WHEN 0 THEN d.dattablespace ELSE c.reltablespace END)::bigint,"
        " pg_relation_filenode(c.oid)::bigint, n.nspname, c.relname"
        " FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace"
        " JOIN pg_database d ON d.datname = current_database()"
        " WHERE c.relkind IN ('r', 'm') AND pg_relation_filenode(c.oid) IS NOT NULL");
    std::vector<NamedRelationFile> out;
    for (const auto& row : rows) {
      NamedRelationFile f;
      f.identity.database_oid = static_cast<std::uint32_t>(row[0].as<std::int64_t>());
      f.identity.oid = static_cast<std::uint32_t>(row[1].as<std::int64_t>());
      f.identity.tablespace_oid = static_cast<std::uint32_t>(row[2].as<std::int64_t>());
      f.identity.relfilenode = static_cast<std::uint32_t>(row[3].as<std::int64_t>());
      f.schema = row[4].as<std::string>();
      f.name = row[5].as<std::string>();
      out.push_back(std::move(f));
    }
    return out;
  } catch (const pqxx::failure& e) {
    throw DatabaseError("cannot read pg_class on " + redact(conninfo) + ": " + e.what());
  }
}

} // namespace lastgood::pg
