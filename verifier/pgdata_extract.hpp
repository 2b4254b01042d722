#pragma once
// Extracts a base backup (plain, or tar / .tar.gz / .tar.zst with its
// tablespace and pg_wal tars) from a repository into an empty directory,
// checking every file against backup_manifest and every object against the
// catalog's SHA-256 on the same read. Nothing may land outside the directory:
// absolute names, ".." and links leading out are refused. Tablespaces go to
// a directory of their own and pg_tblspc/<oid> is pointed at it. When anything
// fails, whatever was written is removed again.

#include "catalog/backup_queries.hpp"
#include "storage/storage.hpp"
#include "verifier/dir_writer.hpp"
#include "verifier/finding.hpp"

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace lastgood::verifier {

namespace finding_kind {
// A member's name or link would write outside the restored directory.
inline constexpr const char* unsafe_member = "unsafe_member";
} // namespace finding_kind

struct ExtractOptions
{
  std::string data_dir;       // absolute; must be absent or an empty directory
  std::string tablespace_dir; // tablespaces go to <dir>/<oid>; empty: <data_dir>_tablespaces
  std::optional<Owner> owner; // chown everything written (root restoring for the server's user)
};

struct ExtractResult
{
  // Failures mean the backup is bad (and nothing is left on disk); errors that
  // it could not be read (nothing left either); warnings change nothing.
  Findings findings;
  std::uint64_t files = 0, bytes = 0;
  bool wal_included = false;            // WAL segments were written to pg_wal/
  bool manifest_checked = false;        // false: the backup has no usable manifest
  std::vector<std::string> tablespaces; // oids
  std::string tablespace_dir;           // where they went (when any)
  bool ok() const { return !findings.any(Severity::Failure) && !findings.any(Severity::Error); }
};

// Throws UsageError (exit 2) when data_dir is not empty, before writing
// anything; Error when the local disk fails (after removing what it wrote).
ExtractResult extract_base_backup(storage::Storage& storage, const catalog::BackupRow& backup,
                                  const std::vector<catalog::BackupObjectRow>& objects,
                                  const ExtractOptions& options);

} // namespace lastgood::verifier
