#pragma once
// Object keys under a directory are a range [dir/, dir0) ('0' follows '/');
// the root's range ends after every key. SQLite compares bytes, so "\xff"
// ends it; PostgreSQL keeps only valid UTF-8, so there U+10FFFF, the
// highest character, does (text columns there compare bytewise too: C collation).

#include "catalog/database.hpp"

#include <string>

namespace lastgood::catalog {

inline std::string after_every_key(const Database& db)
{
  return db.engine() == Engine::Postgres ? std::string("\xf4\x8f\xbf\xbf") : std::string("\xff");
}

} // namespace lastgood::catalog
