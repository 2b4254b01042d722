#pragma once
// Where `lastgood backup` puts a new dump in a repository, and the temporary
// key it is written under until it is complete.

#include "common/time.hpp"

#include <string>

namespace lastgood::backup {

// "<database>/<database>-20261122T020000Z[-<label>].dump[.zst]"; label is
// reduced to [a-z0-9-] so keys stay portable across storage backends.
std::string backup_key(const std::string& database, TimePoint taken_at, const std::string& label,
                       bool zstd_compressed);

} // namespace lastgood::backup
