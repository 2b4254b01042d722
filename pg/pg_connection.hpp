#pragma once
// Connecting to PostgreSQL servers (scratch clusters, restore targets) with
// libpqxx, and small helpers for building SQL.

#include <memory>
#include <pqxx/connection>
#include <string>
#include <string_view>

namespace lastgood::pg {

// Opens a connection. Throws DatabaseError naming the (redacted) connection
// string and the server's message when it cannot; its hint says to check `named_by`,
// where the connection string came from ("--to", "verify.scratch"), when given.
std::unique_ptr<pqxx::connection> connect(const std::string& conninfo,
                                          std::string_view named_by = {});

// "name" -> "\"name\"", embedded double quotes doubled. Throws ValidationError
// for an empty name or one holding a NUL byte (PostgreSQL accepts neither).
std::string quote_ident(std::string_view name);

// Whether the server can CREATE EXTENSION `name` (pg_available_extensions).
// Runs in its own nontransaction, so `connection` must not be inside one.
bool server_has_extension(pqxx::connection& connection, std::string_view name);

} // namespace lastgood::pg
