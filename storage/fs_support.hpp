#pragma once
// Helpers shared by the FsStorage files: errno to StorageError, path joining.

#include <optional>
#include <string>
#include <string_view>

namespace lastgood::storage {

// Throws a StorageError whose message says what failed, on which key and
// repository, and what to do. action is a phrase like "cannot write"; the message reads
// "<action> '<key>' in <repo>: <reason>; <advice>".
[[noreturn]] void throw_errno(int err, std::string_view action, std::string_view key,
                              std::string_view repo);

// errno as text (thread-safe).
std::string errno_text(int err);

// root + "/" + relative, without doubling the '/' when root is "/".
std::string join_path(std::string_view root, std::string_view relative);

// What a listing says about, and reads refuse for, a key whose symlinks lead
// out of the repository root (unless the repository follows links).
inline constexpr std::string_view kOutsideLinkProblem =
    "symlink to a path outside the repository: not followed";

// The path with every symlink, "." and ".." resolved (realpath), or nullopt
// when it cannot be resolved (missing, dangling, loop, permission).
std::optional<std::string> resolved_path(const std::string& path);

// Whether a resolved path is the resolved root or lies below it.
bool is_inside(std::string_view resolved, std::string_view resolved_root);

} // namespace lastgood::storage
