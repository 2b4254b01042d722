// open_storage (the scheme table) and the small whole-object read helpers.

#include "common/error.hpp"
#include "storage/fault_storage.hpp"
#include "storage/fs_storage.hpp"
#include "storage/memory_storage.hpp"
#include "storage/s3_storage.hpp"
#include "storage/storage.hpp"
#include "storage/string_read_stream.hpp"

#include <array>
#include <cctype>
#include <cstdint>
#include <cstdlib>
#include <iostream>

namespace lastgood::storage {

namespace {

constexpr std::string_view kSupported = "supported: file://, bare paths, memory://, s3://";

// The scheme of "scheme://rest" (RFC 3986 letters), or "" for a bare path.
std::string_view scheme_of(std::string_view url)
{
  const std::size_t colon = url.find("://");
  if (colon == std::string_view::npos || colon == 0) return {};
  const std::string_view scheme = url.substr(0, colon);
  if (!std::isalpha(static_cast<unsigned char>(scheme.front()))) return {};
  for (const char c : scheme)
    if (!std::isalnum(static_cast<unsigned char>(c)) && c != '+' && c != '-' && c != '.') return {};
  return scheme;
}

// "?follow_links=true|false" at the end of a file URL; any other '?' stays
// part of the path, as it always was.
bool take_follow_links(std::string_view url, std::string_view& path)
{
  constexpr std::string_view option = "?follow_links=";
  const std::size_t at = path.rfind(option);
  if (at == std::string_view::npos) return false;
  const std::string_view value = path.substr(at + option.size());
  if (value != "true" && value != "false")
    throw UsageError("unsupported value '" + std::string(value) + "' for follow_links in '" +
                     std::string(url) + "': use follow_links=true or follow_links=false");
  path = path.substr(0, at);
  return value == "true";
}

std::unique_ptr<Storage> open_file_url(std::string_view url)
{
  std::string_view path = url.substr(std::string_view("file://").size());
  const bool follow_links = take_follow_links(url, path);
  if (path.starts_with("localhost/")) path.remove_prefix(std::string_view("localhost").size());
  if (!path.starts_with('/'))
    throw UsageError("unsupported file URL '" + std::string(url) +
                     "': it must name an absolute local path, as in file:///var/backups/pg");
  return std::make_unique<FsStorage>(std::string(path), follow_links);
}

std::unique_ptr<Storage> open_backend(std::string_view url)
{
  if (url.empty()) throw UsageError("empty repository URL; give a path or file:///abs/path");
  std::string lower(scheme_of(url));
  for (char& c : lower)
    c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  if (lower.empty()) return std::make_unique<FsStorage>(std::string(url));
  if (lower == "file") return open_file_url(url);
  if (lower == "memory") return std::make_unique<MemoryStorage>(url.substr(lower.size() + 3));
  if (lower == "s3") return open_s3_storage(url);
  // Only the scheme is quoted: the rest of a URL may carry credentials.
  throw UsageError("unsupported repository URL scheme '" + lower + "://' (" +
                   std::string(kSupported) + "); fix the repository URL");
}

// Test only: LASTGOOD_TEST_FAULTS wraps every opened storage in a FaultStorage
// (fault_storage.hpp). Unset or empty, nothing is wrapped.
std::unique_ptr<Storage> with_test_faults(std::unique_ptr<Storage> storage)
{
  const char* plan = std::getenv(kTestFaultsVariable);
  if (plan == nullptr || *plan == '\0') return storage;
  auto rules = parse_fault_plan(plan);
  static const bool warned = [] {
    std::cerr << "lastgood: " << kTestFaultsVariable
              << " is set: injecting storage faults (for tests only; unset it)\n";
    return true;
  }();
  (void)warned;
  return std::make_unique<FaultStorage>(std::move(storage), std::move(rules));
}

} // namespace

std::unique_ptr<Storage> open_storage(std::string_view url)
{
  return with_test_faults(open_backend(url));
}

void Storage::remove_many(const std::vector<std::string>& keys)
{
  for (const auto& key : keys) {
    try {
      remove(key);
    } catch (const NotFoundError&) {
      // already gone: that is what the caller wanted
    }
  }
}

std::string read_all(Storage& storage, std::string_view key, std::size_t max_bytes)
{
  // One byte more than allowed tells "exactly max_bytes" from "too large".
  const std::size_t limit = max_bytes == SIZE_MAX ? max_bytes : max_bytes + 1;
  std::string content = read_up_to(*storage.read(key, 0, limit), limit);
  if (content.size() > max_bytes)
    throw ValidationError("object '" + std::string(key) + "' in " + storage.display_url() +
                          " is larger than " + std::to_string(max_bytes) +
                          " bytes, the most read whole here; it is not the small file expected, "
                          "check that the key is right");
  return content;
}

std::string read_head(Storage& storage, std::string_view key, std::size_t max_bytes)
{
  return read_up_to(*storage.read(key, 0, max_bytes), max_bytes);
}

std::string read_up_to(ReadStream& stream, std::size_t limit)
{
  std::string content;
  std::array<std::byte, 64 * 1024> buffer{};
  while (content.size() < limit) {
    const std::size_t want = std::min(buffer.size(), limit - content.size());
    const std::size_t n = stream.read(std::span(buffer).first(want));
    if (n == 0) break;
    content.append(reinterpret_cast<const char*>(buffer.data()), n);
  }
  return content;
}

} // namespace lastgood::storage
