#pragma once
// Storage on a local (or mounted) file system: "file:///abs/path" or a bare path.
// Keys map to files under the root; symlinks are followed while they stay
// inside the root (a link resolving outside it is reported and refused unless
// the repository was opened with follow_links, "file:///path?follow_links=true").
// Writes go to a
// hidden temporary file in the key's directory and are renamed into place on
// commit, so readers never see a partly written object.

#include "storage/storage.hpp"

#include <filesystem>
#include <string>

namespace lastgood::storage {

class FsStorage : public Storage
{
public:
  // root may be relative (resolved against the current directory now). The
  // root is not checked here; list() and write() fail if it does not exist.
  // follow_links: also follow symlinks that resolve outside the root (off:
  // such a link is a ListProblem and reading it throws StorageError).
  explicit FsStorage(const std::filesystem::path& root, bool follow_links = false);

  const std::string& root() const { return m_root; }

  // "file://" + the absolute root, taken literally (no percent-encoding),
  // with "?follow_links=true" when links out of the root are followed.
  std::string display_url() const override;

  // Walks the tree with one open directory per level. Follows symlinks to
  // files (reporting the target's size and mtime) and to directories as long
  // as they resolve inside the root (else the link is a ListProblem saying
  // kOutsideLinkProblem and is not followed, unless follow_links); a link
  // back to a directory on the current path is reported as "symlink loop" and
  // not entered. Dangling links, unreadable directories and special files are
  // ListProblems. Temporary files of in-flight writes are skipped. Throws
  // StorageError (permanent) if the root is missing or cannot be opened; a
  // prefix whose directory does not exist simply lists nothing.
  void list(std::string_view prefix, const std::function<void(const ObjectInfo&)>& on_object,
            const std::function<void(const ListProblem&)>& on_problem) override;

  // nullopt for a key resolving outside the root (callers then read(), which refuses it).
  std::optional<std::string> local_path(std::string_view key) const override;

  // Regular files only (after following symlinks): a directory is not an object.
  // A key resolving outside the root throws StorageError (permanent), as read() does.
  std::optional<ObjectInfo> stat(std::string_view key) override;

  // Reads through one fd with pread and POSIX_FADV_SEQUENTIAL. The stream ends
  // at the file's size when it was opened: a range reaching past the end is
  // cut short and an offset past the end gives an empty stream. If the file
  // shrinks while being read, read() throws StorageError (not permanent).
  std::unique_ptr<ReadStream> read(std::string_view key, std::uint64_t offset = 0,
                                   std::optional<std::uint64_t> length = std::nullopt) override;

  // Creates missing parent directories (but not the root), writes
  // ".lastgood-tmp-<host>.<pid>-<random>-<name>" (temp_files.hpp) beside the
  // key; commit() fsyncs it, renames
  // it over the key and fsyncs the directory. New files get mode 0666 & ~umask.
  std::unique_ptr<WriteStream> write(std::string_view key) override;

  // Unlinks the file (a symlink itself, not its target). Empty parent
  // directories are left in place.
  void remove(std::string_view key) override;

  bool follow_links() const { return m_follow_links; }

private:
  std::string path_of(std::string_view key) const;
  // Whether the key's path, symlinks resolved, leaves the root. False when it
  // cannot be resolved (the caller's own open or stat reports that).
  bool leads_outside(std::string_view key) const;
  [[noreturn]] void refuse_outside(std::string_view key, std::string_view action) const;

  std::string m_root; // absolute, normalised, no trailing '/' (except "/")
  bool m_follow_links = false;
};

} // namespace lastgood::storage
