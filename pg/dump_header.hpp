#pragma once
// pg_dump archive headers, read straight from a file's first bytes
// (pg_backup_archiver.c WriteHead/ReadHead; see shared/pg-formats.md §1).

#include <optional>
#include <string>
#include <string_view>

namespace lastgood::pg {

enum class DumpFormat { Custom, Directory, Tar, Plain };
std::string_view to_string(DumpFormat format);  // "custom", "directory", "tar", "plain"

struct DumpHeader {
  DumpFormat format = DumpFormat::Custom;
  int version_major = 0, version_minor = 0, version_rev = 0;  // archive version, e.g. 1.14.0
  int int_size = 0, off_size = 0;
  std::string compression;     // "none", "gzip", "gzip:6", "lz4", "zstd"
  std::string created;         // "YYYY-MM-DD HH:MM:SS", the dump host's local time (no zone)
  std::string database;
  std::string server_version;  // "15.18 (Debian 15.18-0+deb12u1)"
  std::string pg_dump_version;
  bool cluster_dump = false;   // plain pg_dumpall output
  bool complete = false;       // plain: ends with "-- PostgreSQL database dump complete"
};

// Custom format (starts "PGDMP") or a directory dump's toc.dat. `head` is the
// file's first bytes (4 KiB is plenty). Throws ValidationError saying what is
// wrong (too short, bad magic, implausible int size, unsupported version).
// The format byte is 1 for custom and 3 for tar; a directory dump's toc.dat
// also says 3, so this returns Tar for it and callers set Directory themselves.
// Archive versions 1.12 to 1.16 are accepted.
DumpHeader parse_custom_dump_header(std::string_view head);

// Tar format: a ustar archive whose first member is toc.dat.
bool looks_like_tar_dump(std::string_view head);
DumpHeader parse_tar_dump_header(std::string_view head);

// Plain SQL (pg_dump or pg_dumpall). `head` is the first bytes, `tail` the
// last bytes (for the completion marker). Database name from "-- Name: ..."
// is not available; it is taken from a "CREATE DATABASE" or "\connect" line if any.
bool looks_like_plain_dump(std::string_view head);
DumpHeader parse_plain_dump_header(std::string_view head, std::string_view tail);

} // namespace lastgood::pg
