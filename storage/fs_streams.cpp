#include "storage/fs_streams.hpp"

#include "common/error.hpp"
#include "storage/fs_support.hpp"
#include "storage/key.hpp"
#include "storage/temp_files.hpp"

#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

namespace lastgood::storage {

namespace {

void fsync_directory(const std::string& dir, std::string_view key, std::string_view repo)
{
  UniqueFd fd(::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC));
  if (!fd) throw_errno(errno, "cannot open the directory to sync", key, repo);
  if (::fsync(fd.get()) != 0) throw_errno(errno, "cannot sync the directory of", key, repo);
}

} // namespace

FsReadStream::FsReadStream(UniqueFd fd, std::uint64_t position, std::uint64_t end, std::string key,
                           std::string repo)
    : m_fd(std::move(fd)), m_position(position), m_end(end), m_key(std::move(key)),
      m_repo(std::move(repo))
{
}

std::size_t FsReadStream::read(std::span<std::byte> buffer)
{
  const std::uint64_t want = std::min<std::uint64_t>(buffer.size(), m_end - m_position);
  if (want == 0) return 0;
  for (;;) {
    const ssize_t n = ::pread(m_fd.get(), buffer.data(), want, static_cast<off_t>(m_position));
    if (n > 0) {
      m_position += static_cast<std::uint64_t>(n);
      return static_cast<std::size_t>(n);
    }
    if (n == 0)
      throw StorageError("cannot read '" + m_key + "' in " + m_repo + ": the file ended at byte " +
                             std::to_string(m_position) + " before its size of " +
                             std::to_string(m_end) +
                             " bytes when opened (it was truncated while being read); retry",
                         false);
    if (errno != EINTR) throw_errno(errno, "cannot read", m_key, m_repo);
  }
}

FsWriteStream::FsWriteStream(const std::string& root, std::string key, std::string repo)
    : m_key(std::move(key)), m_repo(std::move(repo))
{
  const std::size_t slash = m_key.rfind('/');
  m_dir_path = slash == std::string::npos ? root : join_path(root, m_key.substr(0, slash));
  m_final_path = join_path(root, m_key);
  make_parent_directories(root);
  open_temp_file();
}

FsWriteStream::~FsWriteStream()
{
  if (m_committed) return;
  m_fd.reset();
  ::unlink(m_temp_path.c_str());
}

void FsWriteStream::make_parent_directories(const std::string& root)
{
  struct stat st
  {
  };
  if (::stat(root.c_str(), &st) != 0) {
    if (errno == ENOENT)
      throw StorageError("cannot write '" + m_key + "' in " + m_repo +
                         ": the repository root does not exist; create it (or mount its disk) "
                         "or fix the repository URL");
    throw_errno(errno, "cannot write", m_key, m_repo);
  }
  // mkdir each missing component below the root; EEXIST is fine (a file in the
  // way shows up as ENOTDIR when the temporary file is opened).
  std::size_t slash = m_key.find('/');
  while (slash != std::string::npos) {
    const std::string dir = join_path(root, m_key.substr(0, slash));
    if (::mkdir(dir.c_str(), 0777) != 0 && errno != EEXIST)
      throw_errno(errno, "cannot create the parent directory of", m_key, m_repo);
    slash = m_key.find('/', slash + 1);
  }
}

void FsWriteStream::open_temp_file()
{
  const std::size_t slash = m_key.rfind('/');
  const std::string base = slash == std::string::npos ? m_key : m_key.substr(slash + 1);
  for (int attempt = 0; attempt < 8; ++attempt) {
    // The name carries this process's host and pid: the next run removes it if we are killed.
    const std::string name = temp_file_name(base);
    m_temp_path = join_path(m_dir_path, name);
    m_fd = UniqueFd(
        ::open(m_temp_path.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC | O_NOCTTY, 0666));
    if (m_fd) return;
    if (errno != EEXIST) throw_errno(errno, "cannot start writing", m_key, m_repo);
  }
  throw StorageError("cannot start writing '" + m_key + "' in " + m_repo +
                         ": could not pick an unused temporary file name; retry",
                     false);
}

void FsWriteStream::check_open(std::string_view operation) const
{
  if (m_committed || !m_fd)
    throw StorageError("cannot " + std::string(operation) + " '" + m_key + "' in " + m_repo +
                       ": the write stream was already committed or failed; start a new write");
}

void FsWriteStream::write(std::span<const std::byte> data)
{
  check_open("write");
  while (!data.empty()) {
    const ssize_t n = ::write(m_fd.get(), data.data(), data.size());
    if (n < 0) {
      if (errno == EINTR) continue;
      const int err = errno;
      m_fd.reset(); // the object is incomplete; the destructor removes the temp file
      throw_errno(err, "cannot write", m_key, m_repo);
    }
    data = data.subspan(static_cast<std::size_t>(n));
  }
}

void FsWriteStream::commit()
{
  check_open("commit");
  // fsync and close can report delayed errors (ENOSPC, EIO, NFS), so check both.
  if (::fsync(m_fd.get()) != 0) {
    const int err = errno;
    m_fd.reset();
    throw_errno(err, "cannot write", m_key, m_repo);
  }
  if (m_fd.close() != 0) throw_errno(errno, "cannot write", m_key, m_repo);
  if (::rename(m_temp_path.c_str(), m_final_path.c_str()) != 0)
    throw_errno(errno, "cannot put in place", m_key, m_repo);
  m_committed = true;
  fsync_directory(m_dir_path, m_key, m_repo);
}

} // namespace lastgood::storage
