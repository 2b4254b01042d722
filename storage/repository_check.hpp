#pragma once
// Whether a repository can be used, asked before it is registered (`repo add` without
// --no-check), so a mistyped path fails now and not at the next scan.

#include "storage/storage.hpp"

namespace lastgood::storage {

// A local repository's root must exist and be a directory this user can read and enter:
// UsageError (a wrong path is a configuration mistake) saying what to do. Any other backend
// must answer one list request: StorageError naming the repository when it does not.
void check_repository_reachable(Storage& storage);

} // namespace lastgood::storage
