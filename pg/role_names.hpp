#pragma once
// Superuser role names read straight from a data directory's shared catalog
// (global/ pg_authid heap, located through global/pg_filenode.map): a restored
// cluster keeps its own roles, and its bootstrap superuser need not be called
// postgres. Best effort: names of dead tuple versions may be among them.

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace lastgood::pg {

// Distinct names of pg_authid rows with rolsuper set, in file order; empty
// when the files cannot be read or do not look like PostgreSQL's.
std::vector<std::string> superuser_names_in(const std::string& data_dir);

// The same from the bytes of pg_authid's heap file (whole 8 kB pages).
std::vector<std::string> superuser_names_in_heap(std::string_view heap);

// The filenode of a mapped shared relation (pg_authid is 1260) from the bytes
// of global/pg_filenode.map; 0 when it is not there.
std::uint32_t mapped_filenode(std::string_view map_file, std::uint32_t relation_oid);

} // namespace lastgood::pg
