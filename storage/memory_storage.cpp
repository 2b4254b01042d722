#include "storage/memory_storage.hpp"

#include "common/error.hpp"
#include "common/sha256.hpp"
#include "storage/key.hpp"

#include <algorithm>
#include <chrono>
#include <cstring>
#include <map>
#include <mutex>

namespace lastgood::storage {

namespace {

struct StoredObject
{
  std::shared_ptr<const std::string> content;
  std::int64_t mtime_ns = 0;
  std::string etag;
};

ObjectInfo info_of(const std::string& key, const StoredObject& object)
{
  ObjectInfo info;
  info.key = key;
  info.size = object.content->size();
  info.mtime_ns = object.mtime_ns;
  info.etag = object.etag;
  return info;
}

} // namespace

struct MemoryStorage::Bucket
{
  std::mutex mutex;
  std::map<std::string, StoredObject, std::less<>> objects;
  std::int64_t last_mtime_ns = 0;

  void put(const std::string& key, std::string content)
  {
    StoredObject object;
    object.etag = Sha256::of(content);
    object.content = std::make_shared<const std::string>(std::move(content));
    const std::int64_t now = std::chrono::duration_cast<std::chrono::nanoseconds>(
                                 std::chrono::system_clock::now().time_since_epoch())
                                 .count();
    std::lock_guard lock(mutex);
    last_mtime_ns = std::max(now, last_mtime_ns + 1);
    object.mtime_ns = last_mtime_ns;
    objects.insert_or_assign(key, std::move(object));
  }
};

namespace {

struct Registry
{
  std::mutex mutex;
  std::map<std::string, std::shared_ptr<MemoryStorage::Bucket>, std::less<>> buckets;
};

Registry& registry()
{
  static Registry instance; // lives until exit; buckets are shared by name
  return instance;
}

std::string describe(std::string_view key, std::string_view name)
{
  return "'" + std::string(key) + "' in memory://" + std::string(name);
}

class MemoryReadStream : public ReadStream
{
public:
  MemoryReadStream(std::shared_ptr<const std::string> content, std::size_t position,
                   std::size_t end)
      : m_content(std::move(content)), m_position(position), m_end(end)
  {
  }

  std::size_t read(std::span<std::byte> buffer) override
  {
    const std::size_t n = std::min(buffer.size(), m_end - m_position);
    if (n > 0) std::memcpy(buffer.data(), m_content->data() + m_position, n);
    m_position += n;
    return n;
  }

private:
  std::shared_ptr<const std::string> m_content;
  std::size_t m_position;
  std::size_t m_end;
};

class MemoryWriteStream : public WriteStream
{
public:
  MemoryWriteStream(std::shared_ptr<MemoryStorage::Bucket> bucket, std::string key,
                    std::string name)
      : m_bucket(std::move(bucket)), m_key(std::move(key)), m_name(std::move(name))
  {
  }

  void write(std::span<const std::byte> data) override
  {
    check_open("write");
    m_content.append(reinterpret_cast<const char*>(data.data()), data.size());
  }

  void commit() override
  {
    check_open("commit");
    m_committed = true;
    m_bucket->put(m_key, std::move(m_content));
  }

private:
  void check_open(std::string_view operation) const
  {
    if (m_committed)
      throw StorageError("cannot " + std::string(operation) + " " + describe(m_key, m_name) +
                         ": the write stream was already committed; start a new write");
  }

  std::shared_ptr<MemoryStorage::Bucket> m_bucket;
  std::string m_key;
  std::string m_name;
  std::string m_content;
  bool m_committed = false;
};

} // namespace

MemoryStorage::MemoryStorage(std::string_view name) : m_name(name)
{
  if (name.empty()) throw UsageError("memory:// repository URL without a name; use memory://NAME");
  Registry& reg = registry();
  std::lock_guard lock(reg.mutex);
  auto it = reg.buckets.find(name);
  if (it == reg.buckets.end())
    it = reg.buckets.emplace(std::string(name), std::make_shared<Bucket>()).first;
  m_bucket = it->second;
}

MemoryStorage::~MemoryStorage() = default;

void MemoryStorage::clear(std::string_view name)
{
  Registry& reg = registry();
  std::lock_guard lock(reg.mutex);
  const auto it = reg.buckets.find(name);
  if (it == reg.buckets.end()) return;
  std::lock_guard bucket_lock(it->second->mutex);
  it->second->objects.clear();
}

std::string MemoryStorage::display_url() const
{
  return "memory://" + m_name;
}

void MemoryStorage::list(std::string_view prefix,
                         const std::function<void(const ObjectInfo&)>& on_object,
                         const std::function<void(const ListProblem&)>&)
{
  validate_prefix(prefix);
  std::string after; // last key reported; the next one is the first key above it
  bool first = true;
  for (;;) {
    std::optional<ObjectInfo> info;
    {
      std::lock_guard lock(m_bucket->mutex);
      auto it =
          first ? m_bucket->objects.lower_bound(prefix) : m_bucket->objects.upper_bound(after);
      if (it != m_bucket->objects.end() && it->first.starts_with(prefix))
        info = info_of(it->first, it->second);
    }
    if (!info) return;
    first = false;
    after = info->key;
    on_object(*info);
  }
}

std::optional<ObjectInfo> MemoryStorage::stat(std::string_view key)
{
  validate_key(key);
  std::lock_guard lock(m_bucket->mutex);
  const auto it = m_bucket->objects.find(key);
  if (it == m_bucket->objects.end()) return std::nullopt;
  return info_of(it->first, it->second);
}

std::unique_ptr<ReadStream> MemoryStorage::read(std::string_view key, std::uint64_t offset,
                                                std::optional<std::uint64_t> length)
{
  validate_key(key);
  std::shared_ptr<const std::string> content;
  {
    std::lock_guard lock(m_bucket->mutex);
    const auto it = m_bucket->objects.find(key);
    if (it == m_bucket->objects.end())
      throw NotFoundError("cannot read " + describe(key, m_name) +
                          ": no such object; check the key");
    content = it->second.content;
  }
  const std::size_t size = content->size();
  const std::size_t start = static_cast<std::size_t>(std::min<std::uint64_t>(offset, size));
  std::size_t end = size;
  if (length && *length < size - start) end = start + static_cast<std::size_t>(*length);
  return std::make_unique<MemoryReadStream>(std::move(content), start, end);
}

std::unique_ptr<WriteStream> MemoryStorage::write(std::string_view key)
{
  validate_key(key);
  return std::make_unique<MemoryWriteStream>(m_bucket, std::string(key), m_name);
}

void MemoryStorage::remove(std::string_view key)
{
  validate_key(key);
  std::lock_guard lock(m_bucket->mutex);
  const auto it = m_bucket->objects.find(key);
  if (it == m_bucket->objects.end())
    throw NotFoundError("cannot remove " + describe(key, m_name) +
                        ": no such object; it may already have been removed");
  m_bucket->objects.erase(it);
}

} // namespace lastgood::storage
