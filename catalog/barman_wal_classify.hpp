#pragma once
// Barman keeps archived WAL in wals/<timeline+log>/<name> compressed without
// a suffix (gzip, bzip2 told by magic bytes): the generic classifier would
// call every such file "not a WAL segment". Here its kind, header and
// compression come from its decompressed first bytes.

#include "catalog/classify.hpp"
#include "storage/storage.hpp"

#include <string_view>

namespace lastgood::catalog {

// A key under wals/ named like a WAL segment, .partial, .history or .backup
// file (no compression suffix: Barman's .tmp copies and xlog.db are not WAL).
bool is_barman_wal_key(std::string_view key);

// Reads the object's first bytes again. The compression is recorded as "gz"
// (what wal-fetch decompresses) or "bzip2"; a file compressed some other way
// is WAL by its name, unread (never a problem: unread is not damaged).
// Throws StorageError when the object cannot be read.
Classification classify_barman_wal(storage::Storage& storage, const storage::ObjectInfo& info);

} // namespace lastgood::catalog
