#pragma once
// Whether a process recorded in the catalog (a run, a lease holder) is gone.
// Only a process on this host can be known dead; one on another host is
// assumed alive (its lease runs out by itself).

#include <cstdint>
#include <optional>
#include <string>

namespace lastgood::catalog {

std::string this_host();
// "host:pid:start" of this process, as leases name their holder; start is the
// process's start time (clock ticks since boot), so a later process that
// reuses the pid is not mistaken for the holder.
std::string this_process();

// True only when host is this host and no process pid exists here.
bool is_dead_local_process(const std::string& host, std::int64_t pid);

// A lease holder, "host:pid:start" (or "host:pid" from older binaries), is a
// process on this host that is gone: no such pid, or the pid now belongs to a
// process started at another time. False when it is not ours to judge.
bool holder_is_dead(const std::string& holder);

// The start time of process pid on this host (clock ticks since boot), when known.
std::optional<std::int64_t> process_start_time(std::int64_t pid);

} // namespace lastgood::catalog
