#pragma once
// Files other programs read while we write them (node_exporter's textfile
// collector, a web server serving the report): written beside the target and
// renamed over it, so a reader sees the old file or the new one, never half.
// The copy is "<name>.tmp.<host tag>.<pid>"; one a killed writer on this
// machine left is removed by the next write of the same file.

#include <string>

namespace lastgood {

// Throws Error (exit 1) naming the file when it cannot be written or renamed;
// the temporary file is removed then.
void write_file_atomically(const std::string& path, const std::string& content);

} // namespace lastgood
