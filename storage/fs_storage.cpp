#include "storage/fs_storage.hpp"

#include "common/error.hpp"
#include "storage/fs_streams.hpp"
#include "storage/fs_support.hpp"
#include "storage/key.hpp"

#include <cerrno>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

namespace lastgood::storage {

namespace {

std::int64_t mtime_ns_of(const struct stat& st)
{
  return static_cast<std::int64_t>(st.st_mtim.tv_sec) * 1'000'000'000 + st.st_mtim.tv_nsec;
}

} // namespace

FsStorage::FsStorage(const std::filesystem::path& root, bool follow_links)
    : m_follow_links(follow_links)
{
  if (root.empty()) throw UsageError("empty repository path; give an absolute directory path");
  std::string normal = std::filesystem::absolute(root).lexically_normal().string();
  while (normal.size() > 1 && normal.back() == '/')
    normal.pop_back();
  m_root = std::move(normal);
}

std::string FsStorage::display_url() const
{
  return "file://" + m_root + (m_follow_links ? "?follow_links=true" : "");
}

bool FsStorage::leads_outside(std::string_view key) const
{
  if (m_follow_links) return false;
  const auto resolved = resolved_path(path_of(key));
  if (!resolved) return false;
  // Resolved on every call: the root may be a link itself, or appear later.
  const auto root = resolved_path(m_root);
  return root && !is_inside(*resolved, *root);
}

void FsStorage::refuse_outside(std::string_view key, std::string_view action) const
{
  throw StorageError(std::string(action) + " '" + std::string(key) + "' in " + display_url() +
                     ": " + std::string(kOutsideLinkProblem) +
                     "; move the file into the repository, or add ?follow_links=true to the "
                     "repository URL if links out of it are intended");
}

std::string FsStorage::path_of(std::string_view key) const
{
  return join_path(m_root, key);
}

std::optional<std::string> FsStorage::local_path(std::string_view key) const
{
  validate_key(key);
  if (leads_outside(key)) return std::nullopt;
  return path_of(key);
}

std::optional<ObjectInfo> FsStorage::stat(std::string_view key)
{
  validate_key(key);
  if (leads_outside(key)) refuse_outside(key, "cannot stat");
  struct stat st
  {
  };
  if (::stat(path_of(key).c_str(), &st) != 0) {
    if (errno == ENOENT || errno == ENOTDIR) return std::nullopt;
    throw_errno(errno, "cannot stat", key, display_url());
  }
  if (!S_ISREG(st.st_mode)) return std::nullopt;
  ObjectInfo info;
  info.key = std::string(key);
  info.size = static_cast<std::uint64_t>(st.st_size);
  info.mtime_ns = mtime_ns_of(st);
  return info;
}

std::unique_ptr<ReadStream> FsStorage::read(std::string_view key, std::uint64_t offset,
                                            std::optional<std::uint64_t> length)
{
  validate_key(key);
  if (leads_outside(key)) refuse_outside(key, "cannot read");
  // O_NONBLOCK so a FIFO planted under a key cannot hang the open; no effect on files.
  UniqueFd fd(::open(path_of(key).c_str(), O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK));
  if (!fd) {
    if (errno == ENOENT || errno == ENOTDIR)
      throw NotFoundError("cannot read '" + std::string(key) + "' in " + display_url() +
                          ": no such object; check the key, or rescan the repository if it was "
                          "deleted");
    throw_errno(errno, "cannot read", key, display_url());
  }
  struct stat st
  {
  };
  if (::fstat(fd.get(), &st) != 0) throw_errno(errno, "cannot stat", key, display_url());
  if (S_ISDIR(st.st_mode))
    throw NotFoundError("cannot read '" + std::string(key) + "' in " + display_url() +
                        ": it is a directory, not an object; list it with a prefix instead");
  if (!S_ISREG(st.st_mode))
    throw StorageError("cannot read '" + std::string(key) + "' in " + display_url() +
                       ": it is not a regular file (FIFO, socket or device); remove it from the "
                       "repository");

  const auto size = static_cast<std::uint64_t>(st.st_size);
  const std::uint64_t start = std::min(offset, size);
  std::uint64_t end = size;
  if (length && *length < size - start) end = start + *length;
  ::posix_fadvise(fd.get(), static_cast<off_t>(start), static_cast<off_t>(end - start),
                  POSIX_FADV_SEQUENTIAL);
  return std::make_unique<FsReadStream>(std::move(fd), start, end, std::string(key), display_url());
}

std::unique_ptr<WriteStream> FsStorage::write(std::string_view key)
{
  validate_key(key);
  return std::make_unique<FsWriteStream>(m_root, std::string(key), display_url());
}

void FsStorage::remove(std::string_view key)
{
  validate_key(key);
  if (::unlink(path_of(key).c_str()) == 0) return;
  if (errno == ENOENT || errno == ENOTDIR)
    throw NotFoundError("cannot remove '" + std::string(key) + "' in " + display_url() +
                        ": no such object; it may already have been removed");
  if (errno == EISDIR)
    throw NotFoundError("cannot remove '" + std::string(key) + "' in " + display_url() +
                        ": it is a directory, not an object; remove the objects inside it");
  throw_errno(errno, "cannot remove", key, display_url());
}

} // namespace lastgood::storage
