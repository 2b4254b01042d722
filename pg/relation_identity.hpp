#pragma once
// A table's identity in a running server's own catalog: the database's OID,
// the table's OID (stable for its life) and its current relation file (which
// TRUNCATE, VACUUM FULL, CLUSTER and rewriting ALTERs replace). What WAL
// records name instead of SCHEMA.TABLE.

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace lastgood::pg {

struct RelationIdentity
{
  std::uint32_t database_oid = 0;
  std::uint32_t oid = 0;
  std::uint32_t tablespace_oid = 0; // 1663 (pg_default) when pg_class says 0
  std::uint32_t relfilenode = 0;
};

// Looks SCHEMA.TABLE up on the server `conninfo` connects to, which must be
// connected to `database`; nullopt when there is no such table. Throws
// DatabaseError when the server cannot be asked, UsageError when the
// connection is to another database.
std::optional<RelationIdentity> lookup_relation(const std::string& conninfo,
                                                const std::string& database,
                                                const std::string& schema,
                                                const std::string& table);

// The OID of the database `conninfo` connects to. Throws DatabaseError.
std::uint32_t current_database_oid(const std::string& conninfo);

struct NamedRelationFile
{
  RelationIdentity identity;
  std::string schema, name;
};

// Every table's (and materialized view's) relation file in the database
// `conninfo` connects to, with its name. Throws DatabaseError.
std::vector<NamedRelationFile> relation_files(const std::string& conninfo);

} // namespace lastgood::pg
