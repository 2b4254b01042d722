#pragma once
// Small helpers the storage tests share: put, get and list as plain values.

#include "storage/storage.hpp"

#include <array>
#include <map>
#include <string>
#include <vector>

namespace lastgood::storage::testing {

inline void put_object(Storage& storage, std::string_view key, std::string_view content)
{
  auto stream = storage.write(key);
  stream->write(std::as_bytes(std::span(content)));
  stream->commit();
}

inline std::string drain(ReadStream& stream)
{
  std::string content;
  std::array<std::byte, 4096> buffer{};
  while (const std::size_t n = stream.read(buffer))
    content.append(reinterpret_cast<const char*>(buffer.data()), n);
  return content;
}

inline std::string get_object(Storage& storage, std::string_view key, std::uint64_t offset = 0,
                              std::optional<std::uint64_t> length = std::nullopt)
{
  return drain(*storage.read(key, offset, length));
}

struct Listing
{
  std::map<std::string, ObjectInfo> objects;
  std::vector<ListProblem> problems;
  int duplicate_keys = 0; // a key reported twice would be a walker bug
};

inline Listing list_all(Storage& storage, std::string_view prefix = "")
{
  Listing listing;
  storage.list(
      prefix,
      [&](const ObjectInfo& info) {
        if (!listing.objects.emplace(info.key, info).second) ++listing.duplicate_keys;
      },
      [&](const ListProblem& problem) { listing.problems.push_back(problem); });
  return listing;
}

inline std::vector<std::string> keys_of(const Listing& listing)
{
  std::vector<std::string> keys;
  for (const auto& [key, info] : listing.objects)
    keys.push_back(key);
  return keys;
}

} // namespace lastgood::storage::testing
