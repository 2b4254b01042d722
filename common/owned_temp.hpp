#pragma once
// Temporary things lastgood makes outside the catalog carry their maker's pid
// (and, where a directory may be shared between machines, a host tag), so a
// later run can tell a crashed run's leftovers from those of a run still going.

#include <optional>
#include <string>
#include <string_view>
#include <sys/types.h>
#include <vector>

namespace lastgood {

// Whether a process with this pid exists on this machine and is not a zombie.
// A process of another user counts as alive.
bool process_alive(pid_t pid);

// Eight hex digits naming this machine (a hash of its host name).
std::string host_tag();

// $TMPDIR when set, else /tmp.
std::string temp_base_dir();

// Makes "<temp_base_dir>/lastgood-<kind>-<pid>-XXXXXX" (mode 0700) and
// returns its path; throws Error saying to set TMPDIR when it cannot.
std::string make_owned_temp_dir(std::string_view kind);

struct OwnedTempDir
{
  std::string path;
  std::string kind;
  pid_t pid = 0;
};

// The "lastgood-<kind>-<pid>-XXXXXX" directories directly in `base` for the
// given kinds (other names, files and symlinks are left out).
std::vector<OwnedTempDir> find_owned_temp_dirs(const std::string& base,
                                               const std::vector<std::string>& kinds);

} // namespace lastgood
