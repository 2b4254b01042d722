#pragma once
// After a crash: a restore run left 'running' by a process on this host that
// no longer exists is closed as 'error' (interrupted) and its temporary
// database dropped; if it died halfway through a swap (the existing database
// renamed aside, nothing under the name) the aside database gets its name
// back. Runs by itself before every restore to the same target server, and on
// `restore --cleanup --to CONNSTR`. Every action writes an audit row first.

#include "catalog/database.hpp"
#include "restore/target_server.hpp"

#include <string>
#include <vector>

namespace lastgood::restore {

// What was done, one line each (empty when there was nothing to do).
std::vector<std::string> clean_up_interrupted_restores(catalog::Database& db,
                                                       const TargetServer& server);

} // namespace lastgood::restore
