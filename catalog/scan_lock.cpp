#include "catalog/scan_lock.hpp"

#include "common/error.hpp"

#include <cerrno>
#include <cstring>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

namespace lastgood::catalog {

namespace {

struct flock byte_of(std::int64_t repository_id, short type)
{
  struct flock lock = {};
  lock.l_type = type;
  lock.l_whence = SEEK_SET;
  lock.l_start = static_cast<off_t>(repository_id);
  lock.l_len = 1;
  return lock;
}

} // namespace

std::string ScanLock::path_for(const std::string& catalog_path)
{
  return catalog_path + "-scan.lock";
}

namespace {

// The first key of the two-key advisory lock: "lg" + "sc", this lock's class.
constexpr int kScanLockClass = 0x6c677363;

} // namespace

ScanLock::ScanLock(Database& db, std::int64_t repository_id, const std::function<void()>& on_wait)
{
  if (db.engine() == Engine::Postgres) {
    if (db.read_only()) return;
    auto try_lock = db.prepare("SELECT pg_try_advisory_lock(?, CAST(? AS INTEGER))");
    try_lock.bind_all(kScanLockClass, repository_id).step();
    if (try_lock.int64(0) == 0) {
      if (on_wait) on_wait();
      db.prepare("SELECT pg_advisory_lock(?, CAST(? AS INTEGER))")
          .bind_all(kScanLockClass, repository_id)
          .run();
    }
    m_advisory = &db;
    m_key = repository_id;
    return;
  }
  const std::string& catalog = db.path();
  // A read-only catalog: the scan's first write fails with the message that says why.
  if (catalog.empty() || catalog == ":memory:" || catalog.starts_with("file:") || db.read_only())
    return;
  const std::string path = path_for(catalog);
  const mode_t old_mask = ::umask(077); // as private as the catalog itself
  m_fd = ::open(path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0600);
  ::umask(old_mask);
  if (m_fd < 0)
    throw DatabaseError("cannot open the scan lock " + path + ": " + std::strerror(errno) +
                        " (the catalog's directory must be writable by the user running scan)");
  auto lock = byte_of(repository_id, F_WRLCK);
  if (::fcntl(m_fd, F_OFD_SETLK, &lock) == 0) return;
  if (errno != EAGAIN && errno != EACCES) {
    const int error = errno;
    ::close(m_fd);
    throw DatabaseError("cannot lock " + path + ": " + std::strerror(error));
  }
  if (on_wait) on_wait();
  lock = byte_of(repository_id, F_WRLCK);
  while (::fcntl(m_fd, F_OFD_SETLKW, &lock) != 0) {
    if (errno == EINTR) continue;
    const int error = errno;
    ::close(m_fd);
    throw DatabaseError("cannot lock " + path + ": " + std::strerror(error));
  }
}

ScanLock::~ScanLock()
{
  if (m_advisory) {
    try {
      m_advisory->prepare("SELECT pg_advisory_unlock(?, CAST(? AS INTEGER))")
          .bind_all(kScanLockClass, m_key)
          .run();
    } catch (const std::exception&) {
      // A lost connection has dropped the lock with it.
    }
  }
  if (m_fd >= 0) ::close(m_fd); // closing the description releases the lock
}

} // namespace lastgood::catalog
