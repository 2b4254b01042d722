#pragma once
// Environment and argument arrays for exec'ing PostgreSQL's tools, shared by
// run_process (captured output) and ChildStream (streamed output).

#include <string>
#include <utility>
#include <vector>

namespace lastgood::pg {

// This process's environment with `extra` added or replacing (later pairs win).
std::vector<std::string>
environment_with(const std::vector<std::pair<std::string, std::string>>& extra);

// A NULL-terminated char* array pointing into `strings`, which must outlive it.
std::vector<char*> c_strings(std::vector<std::string>& strings);

} // namespace lastgood::pg
