#pragma once
// Storage kept in process memory, for unit tests: "memory://name". Every
// MemoryStorage opened with the same name shares one bucket (process-wide,
// thread-safe), so code under test and the test itself see the same objects.
// Semantics match FsStorage: writes are invisible until commit, missing keys
// throw NotFoundError, keys follow validate_key. mtime_ns is the wall clock at
// commit, forced to increase strictly; etag is the SHA-256 hex of the content.

#include "storage/storage.hpp"

#include <memory>
#include <string>
#include <string_view>

namespace lastgood::storage {

class MemoryStorage : public Storage
{
public:
  // name is the part after "memory://"; it must not be empty.
  explicit MemoryStorage(std::string_view name);
  ~MemoryStorage() override;

  // Empties the bucket called name (for test isolation); open instances see it empty.
  static void clear(std::string_view name);

  std::string display_url() const override;
  // Visits keys in order, taking the lock per key, so callbacks may use the storage.
  void list(std::string_view prefix, const std::function<void(const ObjectInfo&)>& on_object,
            const std::function<void(const ListProblem&)>& on_problem) override;
  std::optional<ObjectInfo> stat(std::string_view key) override;
  // A stream reads the content as it was when read() was called.
  std::unique_ptr<ReadStream> read(std::string_view key, std::uint64_t offset = 0,
                                   std::optional<std::uint64_t> length = std::nullopt) override;
  std::unique_ptr<WriteStream> write(std::string_view key) override;
  void remove(std::string_view key) override;

  struct Bucket; // defined in the .cpp; public only so its streams can name it

private:
  std::string m_name;
  std::shared_ptr<Bucket> m_bucket;
};

} // namespace lastgood::storage
