#pragma once
// A WAL file of a pgBackRest archive as PostgreSQL wrote it: decrypted (an
// encrypted repository's archive.info holds the WAL files' own passphrase,
// itself decrypted with the repository's) and decompressed. Used by
// wal-fetch and by the planner's commit-record reading.

#include "common/cipher_pass.hpp"
#include "formats/pgbackrest/archive_layout.hpp"
#include "storage/storage.hpp"

#include <memory>
#include <optional>
#include <string>

namespace lastgood::restore {

// The passphrase of the WAL files of the archive holding `key`
// (archive/<stanza>/<version>-<id>/<16 hex>/<file>), from the archive.info
// beside it. Without a repository passphrase the archive is taken as
// unencrypted unless archive.info says otherwise (an unreadable archive.info
// then changes nothing: the SHA-1 in each name still checks every file).
// Throws Error naming where the passphrase goes when it is missing or wrong.
std::optional<std::string> pgbackrest_archive_cipher_pass(storage::Storage& storage,
                                                          const std::string& key,
                                                          const std::string& repository,
                                                          const CipherPassLookup& lookup);

// `stored` decrypted with cipher_pass (when set) and decompressed as `name` says.
std::unique_ptr<storage::ReadStream>
pgbackrest_wal_stream(std::unique_ptr<storage::ReadStream> stored,
                      const formats::pgbackrest::ArchiveFileName& name, const std::string& key,
                      const std::optional<std::string>& cipher_pass);

} // namespace lastgood::restore
