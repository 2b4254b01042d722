#pragma once
// Where Barman server directories are: a server directory holds wals/xlog.db
// or base/<id>/backup.info (or meta/<id>-backup.info); a barman home holds one
// such directory per configured server, named after it.

#include "storage/storage.hpp"

#include <string>
#include <vector>

namespace lastgood::formats::barman {

// Whether the storage root is a Barman server directory.
bool is_server_directory(storage::Storage& storage);

// The servers of a barman home at the storage root, sorted (empty: none).
// Lists the whole tree once; listing problems are ignored (a dangling
// pg_tblspc link inside a backup is normal there).
std::vector<std::string> list_servers(storage::Storage& storage);

} // namespace lastgood::formats::barman
