#include "storage/fs_support.hpp"

#include "common/error.hpp"

#include <cerrno>
#include <climits>
#include <cstdlib>
#include <memory>
#include <system_error>

namespace lastgood::storage {

namespace {

struct Explanation
{
  std::string reason;
  std::string advice;
  bool permanent = true;
};

Explanation explain(int err)
{
  switch (err) {
  case EACCES:
  case EPERM:
    return {"permission denied",
            "grant the user running lastgood access to the file and its directories"};
  case ENOSPC:
    return {"the disk is full (no space left on device)",
            "free space on that file system or move the repository"};
  case EDQUOT:
    return {"the disk quota is exceeded", "free space or raise the quota"};
  case EROFS:
    return {"the file system is read-only", "remount it read-write or use another repository"};
  case EIO:
    return {"I/O error", "check the disk and the kernel log (dmesg), then retry"};
  case ENAMETOOLONG:
    return {"the name is too long for the file system", "use a shorter key"};
  case ENOTDIR:
    return {"a parent of the key is a file, not a directory", "remove or rename that file"};
  case EISDIR:
    return {"the key names a directory", "use another key or remove the directory"};
  case ELOOP:
    return {"symlink loop (too many levels of symbolic links)", "fix the symlinks on the path"};
  case EMFILE:
  case ENFILE:
  case ENOMEM:
  case EAGAIN:
  case EINTR:
    return {errno_text(err), "retry later, or raise the open-file limit (ulimit -n)", false};
  default:
    return {errno_text(err), "check the repository directory"};
  }
}

} // namespace

std::string errno_text(int err)
{
  return std::system_category().message(err);
}

std::string join_path(std::string_view root, std::string_view relative)
{
  std::string path(root);
  if (path != "/") path += '/';
  path += relative;
  return path;
}

std::optional<std::string> resolved_path(const std::string& path)
{
  std::unique_ptr<char, decltype(&std::free)> resolved(::realpath(path.c_str(), nullptr),
                                                       &std::free);
  if (!resolved) return std::nullopt;
  return std::string(resolved.get());
}

bool is_inside(std::string_view resolved, std::string_view resolved_root)
{
  if (resolved_root == "/") return true;
  return resolved == resolved_root ||
         (resolved.starts_with(resolved_root) && resolved.size() > resolved_root.size() &&
          resolved[resolved_root.size()] == '/');
}

void throw_errno(int err, std::string_view action, std::string_view key, std::string_view repo)
{
  const Explanation e = explain(err);
  throw StorageError(std::string(action) + " '" + std::string(key) + "' in " + std::string(repo) +
                         ": " + e.reason + "; " + e.advice,
                     e.permanent);
}

} // namespace lastgood::storage
