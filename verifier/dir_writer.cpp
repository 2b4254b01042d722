#include "verifier/dir_writer.hpp"

#include "common/error.hpp"
#include "verifier/extract_paths.hpp"

#include <cerrno>
#include <cstring>
#include <fcntl.h>
#include <filesystem>
#include <sys/stat.h>
#include <unistd.h>
#include <vector>

namespace lastgood::verifier {

namespace fs = std::filesystem;

namespace {

class Fd
{
public:
  explicit Fd(int fd) : m_fd(fd) {}
  ~Fd()
  {
    if (m_fd >= 0) ::close(m_fd);
  }
  Fd(const Fd&) = delete;
  Fd& operator=(const Fd&) = delete;
  int get() const { return m_fd; }
  int release()
  {
    int fd = m_fd;
    m_fd = -1;
    return fd;
  }

private:
  int m_fd;
};

std::string errno_text()
{
  return std::strerror(errno);
}

} // namespace

DirWriter::DirWriter(std::string root, std::optional<Owner> owner)
    : m_root(std::move(root)), m_owner(owner)
{
  while (m_root.size() > 1 && m_root.ends_with("/"))
    m_root.pop_back();
  struct stat st
  {
  };
  if (::lstat(m_root.c_str(), &st) == 0) {
    if (!S_ISDIR(st.st_mode))
      throw UsageError(m_root + " exists and is not a directory; choose an empty or new directory");
    std::error_code ec;
    if (!fs::is_empty(m_root, ec) || ec)
      throw UsageError(
          m_root + " is not empty; restore into an empty or new directory (nothing was written)");
    return;
  }
  if (::mkdir(m_root.c_str(), 0700) != 0)
    throw Error("cannot create " + m_root + ": " + errno_text() +
                "; check that its parent exists and is writable");
  m_created_root = true;
  hand_over(m_root, false);
}

void DirWriter::hand_over(const std::string& path, bool link) const
{
  if (!m_owner) return;
  if (::lchown(path.c_str(), m_owner->uid, m_owner->gid) != 0 && !link)
    throw Error("cannot hand " + path + " to uid " + std::to_string(m_owner->uid) + ": " +
                errno_text());
}

void DirWriter::check_not_through_link(const std::string& rel) const
{
  for (std::size_t slash = rel.find('/'); slash != std::string::npos;
       slash = rel.find('/', slash + 1))
    if (m_links.contains(rel.substr(0, slash)))
      throw UnsafeMember("'" + rel + "' would be written through the symbolic link '" +
                         rel.substr(0, slash) + "'");
  if (m_links.contains(rel)) throw UnsafeMember("'" + rel + "' would replace a symbolic link");
}

void DirWriter::ensure_parents(const std::string& rel)
{
  check_not_through_link(rel);
  for (std::size_t slash = rel.find('/'); slash != std::string::npos;
       slash = rel.find('/', slash + 1)) {
    const std::string path = full(rel.substr(0, slash));
    struct stat st
    {
    };
    if (::lstat(path.c_str(), &st) == 0) {
      if (!S_ISDIR(st.st_mode))
        throw UnsafeMember("'" + rel + "' needs '" + rel.substr(0, slash) + "' to be a directory");
      continue;
    }
    if (::mkdir(path.c_str(), 0700) != 0)
      throw Error("cannot create directory " + path + ": " + errno_text());
    hand_over(path, false);
  }
}

void DirWriter::make_dir(const std::string& rel)
{
  if (rel.empty()) return;
  ensure_parents(rel);
  const std::string path = full(rel);
  struct stat st
  {
  };
  if (::lstat(path.c_str(), &st) == 0) {
    if (S_ISDIR(st.st_mode)) return;
    throw UnsafeMember("directory '" + rel + "' collides with an earlier member of that name");
  }
  if (::mkdir(path.c_str(), 0700) != 0)
    throw Error("cannot create directory " + path + ": " + errno_text());
  hand_over(path, false);
}

std::uint64_t DirWriter::write_file(const std::string& rel, storage::ReadStream& in,
                                    const std::function<void(std::span<const std::byte>)>& observe)
{
  if (rel.empty()) throw UnsafeMember("a file member has no name");
  ensure_parents(rel);
  const std::string path = full(rel);
  Fd fd(::open(path.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600));
  if (fd.get() < 0) {
    if (errno == EEXIST)
      throw UnsafeMember("'" + rel + "' appears twice (or collides with a link)");
    throw Error("cannot create " + path + ": " + errno_text());
  }
  hand_over(path, false);
  std::vector<std::byte> buffer(256 * 1024);
  std::uint64_t total = 0;
  for (;;) {
    std::size_t n = in.read(buffer);
    if (n == 0) break;
    auto chunk = std::span<const std::byte>(buffer).first(n);
    if (observe) observe(chunk);
    for (std::size_t done = 0; done < n;) {
      ssize_t w = ::write(fd.get(), chunk.data() + done, n - done);
      if (w < 0) {
        if (errno == EINTR) continue;
        throw Error("cannot write " + path + ": " + errno_text() + " (disk full?)");
      }
      done += static_cast<std::size_t>(w);
    }
    total += n;
  }
  if (::close(fd.release()) != 0) throw Error("cannot write " + path + ": " + errno_text());
  return total;
}

void DirWriter::make_symlink(const std::string& rel, const std::string& target, bool trusted)
{
  if (!trusted && !safe_link_target(target))
    throw UnsafeMember("symbolic link '" + rel + "' points to '" + target +
                       "', outside the restored directory");
  ensure_parents(rel);
  const std::string path = full(rel);
  if (::symlink(target.c_str(), path.c_str()) != 0) {
    if (errno == EEXIST) throw UnsafeMember("'" + rel + "' appears twice");
    throw Error("cannot create symbolic link " + path + ": " + errno_text());
  }
  m_links.insert(rel);
  hand_over(path, true);
}

void DirWriter::make_hardlink(const std::string& rel, const std::string& target_rel)
{
  std::string why;
  auto target = safe_member_path(target_rel, why);
  if (!target || target->empty())
    throw UnsafeMember("hard link '" + rel + "' points to '" + target_rel + "', which " +
                       (why.empty() ? std::string("is not a file") : why));
  check_not_through_link(*target);
  struct stat st
  {
  };
  if (::lstat(full(*target).c_str(), &st) != 0 || !S_ISREG(st.st_mode))
    throw UnsafeMember("hard link '" + rel + "' points to '" + target_rel +
                       "', not a file written before it");
  ensure_parents(rel);
  if (::link(full(*target).c_str(), full(rel).c_str()) != 0) {
    if (errno == EEXIST) throw UnsafeMember("'" + rel + "' appears twice");
    throw Error("cannot create hard link " + full(rel) + ": " + errno_text());
  }
}

void DirWriter::discard() noexcept
{
  std::error_code ec;
  if (m_created_root) {
    fs::remove_all(m_root, ec);
    return;
  }
  std::vector<fs::path> entries;
  for (auto it = fs::directory_iterator(m_root, ec); !ec && it != fs::directory_iterator();
       it.increment(ec))
    entries.push_back(it->path());
  for (const auto& entry : entries)
    fs::remove_all(entry, ec);
}

} // namespace lastgood::verifier
