#pragma once
// What one object is, decided from its key and its first and last bytes,
// without running PostgreSQL tools. Unknown things are 'other', never errors;
// a thing that claims to be a backup but is damaged gets a problem.

#include "storage/storage.hpp"

#include <cstdint>
#include <nlohmann/json.hpp>
#include <string>
#include <string_view>

namespace lastgood::catalog {

// Object kinds stored in objects.kind.
namespace kind {
inline constexpr const char* custom_dump = "custom_dump";
inline constexpr const char* tar_dump = "tar_dump";
inline constexpr const char* plain_dump = "plain_dump";
inline constexpr const char* dump_toc = "dump_toc";   // a directory dump's toc.dat
inline constexpr const char* dump_data = "dump_data"; // other files of a directory dump
inline constexpr const char* backup_label = "backup_label";
inline constexpr const char* backup_manifest = "backup_manifest";
inline constexpr const char* pg_control = "pg_control";
inline constexpr const char* base_tar = "base_tar";             // base.tar[.gz|.zst|.lz4]
inline constexpr const char* wal_tar = "wal_tar";               // pg_wal.tar[.gz]
inline constexpr const char* tablespace_tar = "tablespace_tar"; // <oid>.tar beside base.tar
inline constexpr const char* base_file = "base_file";           // any other file of a base backup
inline constexpr const char* backup_wal = "backup_wal";         // WAL inside a backup's pg_wal/
inline constexpr const char* wal_segment = "wal_segment";
inline constexpr const char* wal_partial = "wal_partial";
inline constexpr const char* wal_history = "wal_history";
inline constexpr const char* wal_backup_history = "wal_backup_history";
inline constexpr const char* other = "other";
} // namespace kind

struct Classification
{
  std::string kind = kind::other;
  nlohmann::json detail; // parsed fields, stored as objects.detail
  std::string problem;   // empty when fine
};

inline constexpr std::size_t kHeadBytes = 64 * 1024;
inline constexpr std::size_t kTailBytes = 4 * 1024;

// Whether the object must be read through classify_base_tar (a tar walk).
bool is_base_tar_name(std::string_view key);
// pg_wal.tar[.gz|.zst|.lz4] beside base.tar: read through classify_wal_tar.
bool is_wal_tar_name(std::string_view key);

// head: the first min(size, kHeadBytes) bytes; tail: the last kTailBytes.
Classification classify_object(std::string_view key, std::uint64_t size, std::string_view head,
                               std::string_view tail);

// What an object is from its key alone, for content lastgood cannot read
// (an encrypted pgBackRest archive without its passphrase): a WAL segment by
// its name, with `why` as detail.header_unread; history and .backup files
// stay 'other'. Never a problem: unread is not damaged.
Classification classify_by_name_only(std::string_view key, std::string_view why);

// Reads a base backup tar (any compression) from `source` just far enough to
// find backup_label, global/pg_control and the first WAL segment header.
Classification classify_base_tar(storage::ReadStream& source);

} // namespace lastgood::catalog
