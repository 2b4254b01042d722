#pragma once
// Helpers shared by the FsStorage files: errno to StorageError, path joining.

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

} // namespace lastgood::storage
