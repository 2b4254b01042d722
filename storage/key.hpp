#pragma once
// Key rules shared by every backend, so a key that works on one works on all.

#include <string_view>

namespace lastgood::storage {

// Name prefix of the temporary files FsStorage writes before commit; listings
// skip such files and keys may not use it, so every backend reserves it.
inline constexpr std::string_view kTempFilePrefix = ".lastgood-tmp-";

// Throws ValidationError naming the key unless it is non-empty, relative, and
// made of non-empty components that are neither "." nor ".." nor reserved
// temporary names, with no NUL byte.
void validate_key(std::string_view key);

// Like validate_key for a listing prefix: "" is allowed, and so is a trailing
// '/' or a partial last component ("dumps/sh").
void validate_prefix(std::string_view prefix);

} // namespace lastgood::storage
