#include "storage/key.hpp"

#include "common/error.hpp"

#include <string>

namespace lastgood::storage {

namespace {

[[noreturn]] void reject(std::string_view what, std::string_view key, std::string_view why)
{
  throw ValidationError("invalid storage " + std::string(what) + " '" + std::string(key) +
                        "': " + std::string(why) +
                        "; use a relative '/'-separated name such as 'dumps/shop.dump'");
}

// Checks the complete components of name (all of them, or all but a partial last one).
void check_components(std::string_view what, std::string_view name, bool last_may_be_partial)
{
  if (name.find('\0') != std::string_view::npos) reject(what, name, "contains a NUL byte");
  if (name.front() == '/') reject(what, name, "is absolute (starts with '/')");
  std::size_t start = 0;
  while (start <= name.size()) {
    const std::size_t slash = name.find('/', start);
    const bool is_last = slash == std::string_view::npos;
    const std::string_view part =
        name.substr(start, is_last ? std::string_view::npos : slash - start);
    if (is_last && last_may_be_partial) return;
    if (part.empty()) reject(what, name, "has an empty path component");
    if (part == "." || part == "..") reject(what, name, "has a '.' or '..' path component");
    if (part.starts_with(kTempFilePrefix))
      reject(what, name, "uses the reserved temporary-file prefix '.lastgood-tmp-'");
    if (is_last) return;
    start = slash + 1;
  }
}

} // namespace

void validate_key(std::string_view key)
{
  if (key.empty()) reject("key", key, "is empty");
  check_components("key", key, false);
}

void validate_prefix(std::string_view prefix)
{
  if (prefix.empty()) return;
  check_components("listing prefix", prefix, true);
}

} // namespace lastgood::storage
