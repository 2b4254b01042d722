#include "storage/temp_files.hpp"

#include "common/owned_temp.hpp"
#include "storage/key.hpp"

#include <algorithm>
#include <cstdio>
#include <filesystem>
#include <random>
#include <unistd.h>

namespace lastgood::storage {

namespace fs = std::filesystem;

namespace {

constexpr std::size_t kMaxFileName = 255; // NAME_MAX on Linux file systems

std::string random_hex()
{
  thread_local std::mt19937_64 engine{std::random_device{}()};
  char text[17];
  std::snprintf(text, sizeof text, "%016llx", static_cast<unsigned long long>(engine()));
  return text;
}

bool all_hex(std::string_view text)
{
  return std::all_of(text.begin(), text.end(),
                     [](char c) { return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'); });
}

} // namespace

std::string temp_file_name(std::string_view base)
{
  static const std::string owner = host_tag() + "." + std::to_string(::getpid());
  std::string name = std::string(kTempFilePrefix) + owner + "-" + random_hex() + "-";
  // Keep the temporary name legal when the key's own name is near the limit.
  name += base.substr(0, kMaxFileName - std::min(kMaxFileName, name.size()));
  return name;
}

std::optional<TempFileOwner> temp_file_owner(std::string_view name)
{
  if (!name.starts_with(kTempFilePrefix)) return std::nullopt;
  name.remove_prefix(kTempFilePrefix.size());
  if (name.size() < 10 || name[8] != '.' || !all_hex(name.substr(0, 8))) return std::nullopt;
  std::string_view rest = name.substr(9);
  std::size_t digits = rest.find_first_not_of("0123456789");
  if (digits == 0 || digits > 9 || digits == std::string_view::npos || rest[digits] != '-')
    return std::nullopt;
  std::string_view random = rest.substr(digits + 1);
  if (random.size() < 17 || random[16] != '-' || !all_hex(random.substr(0, 16)))
    return std::nullopt;
  return TempFileOwner{std::string(name.substr(0, 8)),
                       static_cast<pid_t>(std::stol(std::string(rest.substr(0, digits))))};
}

bool owner_is_dead(const TempFileOwner& owner)
{
  return owner.host_tag == host_tag() && !process_alive(owner.pid);
}

std::vector<TempFile> find_temp_files(const std::string& root)
{
  std::vector<TempFile> found;
  std::error_code ec;
  fs::recursive_directory_iterator it(root, fs::directory_options::skip_permission_denied, ec), end;
  for (; !ec && it != end; it.increment(ec)) {
    std::string name = it->path().filename().string();
    if (!name.starts_with(kTempFilePrefix)) continue;
    std::error_code stat_error;
    if (!it->is_regular_file(stat_error) || it->is_symlink(stat_error)) continue;
    auto size = it->file_size(stat_error);
    found.push_back({it->path().string(), fs::relative(it->path(), root, stat_error).string(),
                     stat_error ? 0 : size, temp_file_owner(name)});
  }
  return found;
}

} // namespace lastgood::storage
