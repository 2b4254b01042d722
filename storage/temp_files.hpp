#pragma once
// FsStorage's temporary files of in-flight writes, named
// ".lastgood-tmp-<host tag>.<pid>-<random>-<name>" so that a later run can find
// those a killed writer left behind: the owner is on this machine and dead.

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <sys/types.h>
#include <vector>

namespace lastgood::storage {

// A fresh temporary name for a file called `base` (cut to fit NAME_MAX).
std::string temp_file_name(std::string_view base);

struct TempFileOwner
{
  std::string host_tag; // see lastgood::host_tag()
  pid_t pid = 0;
};

// The writer named in a temporary file name; nullopt for other names and for
// temporary names of older versions, which carry no owner.
std::optional<TempFileOwner> temp_file_owner(std::string_view file_name);

// Whether the writer is known to be gone: on this machine and not alive.
bool owner_is_dead(const TempFileOwner& owner);

struct TempFile
{
  std::string path;     // absolute
  std::string relative; // to the root, for messages and audit rows
  std::uint64_t size = 0;
  std::optional<TempFileOwner> owner;
};

// Every temporary file under `root` (symlinks are not followed; unreadable
// directories are passed over).
std::vector<TempFile> find_temp_files(const std::string& root);

} // namespace lastgood::storage
