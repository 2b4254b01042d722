#pragma once
// How Barman stored a file in wals/: told by its first bytes, as Barman's own
// CompressionManager.identify_compression does (xlog.db's column may lie).

#include "storage/storage.hpp"

#include <memory>
#include <string>
#include <string_view>

namespace lastgood::formats::barman {

enum class WalCompression { None, Gzip, Bzip2, Unknown };
std::string_view to_string(WalCompression compression); // "none", "gzip", "bzip2", "unknown"

// gzip: 1f 8b 08; bzip2: "BZh". An uncompressed segment starts with a WAL
// long page header; an uncompressed .history/.backup file is text. Anything
// else (lz4, zstd, xz, a custom compressor) is Unknown: the reader refuses it.
// wal_segment says which uncompressed shape to expect.
WalCompression detect_wal_compression(std::string_view head, bool wal_segment);

// The file's bytes after decompression. Unknown throws ValidationError; the
// stream throws ValidationError on corrupt or truncated input.
std::unique_ptr<storage::ReadStream> decompressed(std::unique_ptr<storage::ReadStream> source,
                                                  WalCompression compression);

} // namespace lastgood::formats::barman
