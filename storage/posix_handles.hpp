#pragma once
// RAII owners for POSIX file descriptors and directory streams.

#include <dirent.h>
#include <memory>
#include <unistd.h>
#include <utility>

namespace lastgood::storage {

class UniqueFd
{
public:
  UniqueFd() = default;
  explicit UniqueFd(int fd) : m_fd(fd) {}
  ~UniqueFd() { reset(); }
  UniqueFd(UniqueFd&& other) noexcept : m_fd(std::exchange(other.m_fd, -1)) {}
  UniqueFd& operator=(UniqueFd&& other) noexcept
  {
    if (this != &other) {
      reset();
      m_fd = std::exchange(other.m_fd, -1);
    }
    return *this;
  }
  UniqueFd(const UniqueFd&) = delete;
  UniqueFd& operator=(const UniqueFd&) = delete;

  int get() const { return m_fd; }
  explicit operator bool() const { return m_fd >= 0; }
  // Gives up ownership without closing (e.g. after fdopendir took the fd).
  int release() { return std::exchange(m_fd, -1); }
  // Closes now and reports close()'s result, for callers that must see errors.
  int close()
  {
    if (m_fd < 0) return 0;
    return ::close(std::exchange(m_fd, -1));
  }
  void reset()
  {
    if (m_fd >= 0) ::close(std::exchange(m_fd, -1));
  }

private:
  int m_fd = -1;
};

struct DirCloser
{
  void operator()(DIR* dir) const { ::closedir(dir); }
};
using DirHandle = std::unique_ptr<DIR, DirCloser>;

} // namespace lastgood::storage
