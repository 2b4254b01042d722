#pragma once
// The PostgreSQL engine of the catalog (one catalog for a fleet), over libpq.

#include "catalog/database_connection.hpp"

#include <string>
#include <string_view>

namespace lastgood::catalog {

// Connects to the catalog database named by a postgresql:// URI. The password
// comes from the URI or libpq's usual sources (PGPASSWORD, ~/.pgpass, a
// service file); `display` (the URI without it) is what messages show.
std::unique_ptr<Connection> open_postgres(const std::string& uri, const std::string& display,
                                          bool read_only);

// The URI with any password removed (user:secret@ and password=secret).
std::string uri_without_password(std::string_view uri);

// `?` and `?NNN` placeholders numbered as PostgreSQL's $1, $2, … (those in
// quoted strings, quoted names and comments are left alone). `count` is set
// to the highest number: SQLite binds NULL to a parameter never bound.
std::string number_placeholders(std::string_view sql, int* count = nullptr);

// The key of the advisory lock every catalog writer holds for its transaction.
inline constexpr long long kWriterLockKey = 0x6c617374676f6f64; // "lastgood"

} // namespace lastgood::catalog
