#pragma once
// Whether a process recorded in the catalog (a run, a lease holder) is gone.
// Only a process on this host can be known dead; one on another host is
// assumed alive (its lease runs out by itself).

#include <cstdint>
#include <string>

namespace lastgood::catalog {

std::string this_host();
// "host:pid" of this process, as leases and runs name their owner.
std::string this_process();

// True only when host is this host and no process pid exists here.
bool is_dead_local_process(const std::string& host, std::int64_t pid);

} // namespace lastgood::catalog
