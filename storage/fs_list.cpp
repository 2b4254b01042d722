// FsStorage::list: a depth-first walk with an explicit stack of open
// directories, so memory grows with depth rather than with the number of keys.

#include "common/error.hpp"
#include "storage/fs_storage.hpp"
#include "storage/fs_support.hpp"
#include "storage/key.hpp"
#include "storage/posix_handles.hpp"

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <fcntl.h>
#include <sys/stat.h>
#include <vector>

namespace lastgood::storage {

namespace {

constexpr const char* kLoopMessage =
    "symlink loop: the link points back to one of its own parent directories; skipped, "
    "remove the link or point it elsewhere";

struct DirId
{
  dev_t dev = 0;
  ino_t ino = 0;
  bool operator==(const DirId&) const = default;
};

struct Frame
{
  DirHandle dir;
  std::string key_prefix; // "" for the root, else "dir/sub/"
  DirId id;
};

class FsWalker
{
public:
  FsWalker(const std::string& root, std::string repo, std::string_view prefix, bool follow_links,
           const std::function<void(const ObjectInfo&)>& on_object,
           const std::function<void(const ListProblem&)>& on_problem)
      : m_root(root), m_repo(std::move(repo)), m_prefix(prefix), m_follow_links(follow_links),
        m_on_object(on_object), m_on_problem(on_problem)
  {
  }

  void run()
  {
    if (!open_start()) return;
    while (!m_stack.empty()) {
      Frame& top = m_stack.back();
      errno = 0;
      const dirent* entry = ::readdir(top.dir.get());
      if (!entry) {
        if (errno != 0)
          problem(key_of_dir(top), "reading the directory failed: " + errno_text(errno));
        m_stack.pop_back();
        continue;
      }
      const std::string name = entry->d_name;
      if (name == "." || name == ".." || name.starts_with(kTempFilePrefix)) continue;
      std::string key = top.key_prefix + name;
      if (!key.starts_with(m_prefix)) continue;
      // may push: `top` is stale after
      visit(::dirfd(top.dir.get()), name, entry->d_type, std::move(key));
    }
  }

private:
  static std::string key_of_dir(const Frame& frame)
  {
    std::string key = frame.key_prefix;
    if (!key.empty()) key.pop_back();
    return key;
  }

  void problem(std::string key, std::string message)
  {
    m_on_problem(ListProblem{std::move(key), std::move(message)});
  }

  bool on_current_path(const DirId& id) const
  {
    return std::find(m_ancestors.begin(), m_ancestors.end(), id) != m_ancestors.end() ||
           std::any_of(m_stack.begin(), m_stack.end(),
                       [&](const Frame& frame) { return frame.id == id; });
  }

  // Opens name (relative to parent_fd) as a directory. Returns an invalid fd
  // after reporting a problem, or silently if it vanished meanwhile.
  UniqueFd open_directory(int parent_fd, const std::string& name, const std::string& key)
  {
    UniqueFd fd(::openat(parent_fd, name.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC));
    if (fd) return fd;
    const int err = errno;
    if (err == ENOENT || err == ENOTDIR) return fd;
    if (err == EMFILE || err == ENFILE || err == ENOMEM)
      throw_errno(err, "cannot list the directory", key, m_repo);
    if (err == EACCES)
      problem(key, "permission denied: cannot open the directory; grant the user running "
                   "lastgood read and execute permission on it");
    else if (err == ELOOP)
      problem(key, "symlink loop: the link resolves to itself; remove or fix the link");
    else
      problem(key, "cannot open the directory: " + errno_text(err));
    return fd;
  }

  // Pushes fd as a directory to walk unless it is already on the current path.
  void push_directory(UniqueFd fd, std::string key)
  {
    struct stat st
    {
    };
    if (::fstat(fd.get(), &st) != 0) {
      problem(key, "cannot stat the directory: " + errno_text(errno));
      return;
    }
    const DirId id{st.st_dev, st.st_ino};
    if (on_current_path(id)) {
      problem(key, kLoopMessage);
      return;
    }
    DIR* dir = ::fdopendir(fd.get());
    if (!dir) {
      problem(key, "cannot read the directory: " + errno_text(errno));
      return;
    }
    fd.release(); // owned by dir now
    m_stack.push_back(Frame{DirHandle(dir), key.empty() ? key : key + "/", id});
  }

  // Whether key, a symlink or below one, resolves outside the repository root.
  bool leads_outside(const std::string& key) const
  {
    if (m_follow_links) return false;
    const auto resolved = resolved_path(join_path(m_root, key));
    return resolved && !is_inside(*resolved, m_resolved_root);
  }

  void report_outside(const std::string& key)
  {
    problem(key, std::string(kOutsideLinkProblem) +
                     "; move the file into the repository, or add ?follow_links=true to the "
                     "repository URL if links out of it are intended");
  }

  bool is_symlink(int parent_fd, const std::string& name, unsigned char d_type) const
  {
    if (d_type == DT_LNK) return true;
    if (d_type != DT_UNKNOWN) return false;
    struct stat link
    {
    };
    return ::fstatat(parent_fd, name.c_str(), &link, AT_SYMLINK_NOFOLLOW) == 0 &&
           S_ISLNK(link.st_mode);
  }

  void visit(int parent_fd, const std::string& name, unsigned char d_type, std::string key)
  {
    struct stat st
    {
    };
    if (::fstatat(parent_fd, name.c_str(), &st, 0) != 0) {
      const int err = errno;
      struct stat link
      {
      };
      if (err == ENOENT) {
        if (::fstatat(parent_fd, name.c_str(), &link, AT_SYMLINK_NOFOLLOW) == 0 &&
            S_ISLNK(link.st_mode))
          problem(key, "dangling symlink: its target does not exist; restore the target or "
                       "remove the link");
        return; // otherwise removed since readdir: not an object any more
      }
      if (err == ELOOP)
        problem(key, "symlink loop: the link resolves to itself; remove or fix the link");
      else
        problem(key, "cannot stat: " + errno_text(err));
      return;
    }
    // Checked before anything is read or entered: the link's target is never opened.
    if (!m_follow_links && is_symlink(parent_fd, name, d_type) && leads_outside(key)) {
      report_outside(key);
      return;
    }
    if (S_ISREG(st.st_mode)) {
      ObjectInfo info;
      info.key = std::move(key);
      info.size = static_cast<std::uint64_t>(st.st_size);
      info.mtime_ns =
          static_cast<std::int64_t>(st.st_mtim.tv_sec) * 1'000'000'000 + st.st_mtim.tv_nsec;
      m_on_object(info);
      return;
    }
    if (S_ISDIR(st.st_mode)) {
      UniqueFd fd = open_directory(parent_fd, name, key);
      if (fd) push_directory(std::move(fd), std::move(key));
      return;
    }
    problem(key, "not a regular file or directory (FIFO, socket or device); skipped");
  }

  // Opens the root and walks down to the prefix's directory part. Returns
  // false when there is nothing to list.
  bool open_start()
  {
    UniqueFd fd(::open(m_root.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC));
    if (!fd) {
      const int err = errno;
      if (err == ENOENT)
        throw StorageError("cannot list " + m_repo + ": the repository root " + m_root +
                           " does not exist; create it (or mount its disk) or fix the "
                           "repository URL");
      if (err == ENOTDIR)
        throw StorageError("cannot list " + m_repo + ": the repository root " + m_root +
                           " is not a directory; fix the repository URL");
      if (err == EACCES)
        throw StorageError("cannot list " + m_repo +
                           ": permission denied on the repository "
                           "root " +
                           m_root +
                           "; grant the user running lastgood read and "
                           "execute permission on it");
      throw_errno(err, "cannot list the repository root", m_root, m_repo);
    }
    m_resolved_root = resolved_path(m_root).value_or(m_root);
    const std::size_t slash = m_prefix.rfind('/');
    if (slash == std::string::npos) {
      push_directory(std::move(fd), "");
      return !m_stack.empty();
    }
    // Descend component by component, remembering each directory so that a
    // link back to one of them is still seen as a loop.
    std::size_t start = 0;
    for (;;) {
      const std::size_t end = m_prefix.find('/', start);
      const std::string name = m_prefix.substr(start, end - start);
      const std::string key = m_prefix.substr(0, end);
      struct stat st
      {
      };
      if (::fstat(fd.get(), &st) != 0) throw_errno(errno, "cannot list", key, m_repo);
      m_ancestors.push_back(DirId{st.st_dev, st.st_ino});
      if (leads_outside(key)) {
        report_outside(key);
        return false;
      }
      UniqueFd child = open_directory(fd.get(), name, key);
      if (!child) return false;
      if (end == slash) {
        push_directory(std::move(child), key);
        return !m_stack.empty();
      }
      if (::fstat(child.get(), &st) != 0) throw_errno(errno, "cannot list", key, m_repo);
      if (on_current_path(DirId{st.st_dev, st.st_ino})) {
        problem(key, kLoopMessage);
        return false;
      }
      fd = std::move(child);
      start = end + 1;
    }
  }

  const std::string& m_root;
  std::string m_repo;
  std::string m_prefix;
  bool m_follow_links;
  std::string m_resolved_root; // symlinks resolved, for telling links that leave it
  const std::function<void(const ObjectInfo&)>& m_on_object;
  const std::function<void(const ListProblem&)>& m_on_problem;
  std::vector<DirId> m_ancestors; // above the first frame (prefix start)
  std::vector<Frame> m_stack;     // the current path, one open directory per level
};

} // namespace

void FsStorage::list(std::string_view prefix,
                     const std::function<void(const ObjectInfo&)>& on_object,
                     const std::function<void(const ListProblem&)>& on_problem)
{
  validate_prefix(prefix);
  FsWalker(m_root, display_url(), prefix, m_follow_links, on_object, on_problem).run();
}

} // namespace lastgood::storage
