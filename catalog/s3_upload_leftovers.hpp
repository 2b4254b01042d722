#pragma once
// The S3 side of the crash-leftover sweep: multipart uploads a killed
// lastgood left open. Only uploads marked as lastgood's (storage/s3_uploads.hpp)
// are judged; other tools' uploads in the same bucket are never touched.

#include "catalog/crash_leftovers.hpp"
#include "storage/s3_storage.hpp"

#include <chrono>

namespace lastgood::catalog {

// An upload started on another machine is aborted only when it is older than
// this: its owner cannot be asked whether it is still alive.
inline constexpr std::chrono::hours kForeignUploadGrace{48};

// Aborts the open uploads of dead lastgood processes (an audit row written
// before each) and removes their markers; a server without
// ListMultipartUploads gives an empty sweep.
LeftoverSweep sweep_s3_uploads(Database& db, const Repository& repository,
                               storage::S3Storage& storage);

} // namespace lastgood::catalog
