#pragma once
// Writes files, directories and links under one root directory that started
// empty, so that nothing can land outside it: every path is checked by
// extract_paths, parents are made here (never followed through a link made
// here), files are created exclusively without following links. The caller
// removes everything with discard() when the restore fails.

#include "storage/storage.hpp"

#include <cstdint>
#include <functional>
#include <optional>
#include <span>
#include <string>
#include <sys/types.h>
#include <unordered_set>

namespace lastgood::verifier {

// A member that must not be written (its name or link would escape the root).
class UnsafeMember : public std::runtime_error
{
public:
  using std::runtime_error::runtime_error;
};

struct Owner
{
  uid_t uid = 0;
  gid_t gid = 0;
};

class DirWriter
{
public:
  // Creates root (mode 0700) when absent; throws UsageError when it exists and
  // is not an empty directory.
  DirWriter(std::string root, std::optional<Owner> owner);
  DirWriter(const DirWriter&) = delete;
  DirWriter& operator=(const DirWriter&) = delete;

  const std::string& root() const { return m_root; }

  // rel must come from safe_member_path. Throws UnsafeMember when a parent is
  // a link made here or the path exists already; Error when writing fails.
  void make_dir(const std::string& rel);
  // Copies `in` to the file; observe sees every chunk. Returns the bytes written.
  std::uint64_t write_file(const std::string& rel, storage::ReadStream& in,
                           const std::function<void(std::span<const std::byte>)>& observe);
  // target must pass safe_link_target unless trusted (a tablespace link this
  // restore chose itself).
  void make_symlink(const std::string& rel, const std::string& target, bool trusted = false);
  // A hardlink to a regular file written earlier under the same root.
  void make_hardlink(const std::string& rel, const std::string& target_rel);

  // Removes what was written (and the root when this object created it).
  void discard() noexcept;

private:
  std::string full(const std::string& rel) const
  {
    return rel.empty() ? m_root : m_root + "/" + rel;
  }
  void ensure_parents(const std::string& rel);
  void check_not_through_link(const std::string& rel) const;
  void hand_over(const std::string& path, bool link) const;

  std::string m_root;
  std::optional<Owner> m_owner;
  bool m_created_root = false;
  std::unordered_set<std::string> m_links; // symlinks made here, relative
};

} // namespace lastgood::verifier
