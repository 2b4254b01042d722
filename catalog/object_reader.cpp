#include "catalog/object_reader.hpp"

#include "catalog/carried_wal_facts.hpp"
#include "common/error.hpp"
#include "common/fast_hash.hpp"
#include "common/sha256.hpp"

#include <algorithm>
#include <vector>

namespace lastgood::catalog {

namespace {

constexpr std::size_t kBufferBytes = 1 << 20;
constexpr std::size_t kWholeFileLimit = 64 << 20; // manifests are parsed whole

// Files parsed whole rather than from their head.
bool wants_whole_file(std::string_view key)
{
  return key == "backup_manifest" || key.ends_with("/backup_manifest");
}

// A ReadStream that hashes everything read through it and remembers the head.
class HashingStream : public storage::ReadStream
{
public:
  HashingStream(storage::ReadStream& inner, std::size_t head_limit)
      : m_inner(inner), m_head_limit(head_limit)
  {
  }

  std::size_t read(std::span<std::byte> buffer) override
  {
    std::size_t n = m_inner.read(buffer);
    auto chunk = buffer.first(n);
    m_hash.update(chunk);
    m_fast.update(chunk);
    m_bytes += n;
    if (m_head.size() < m_head_limit) {
      std::size_t take = std::min(n, m_head_limit - m_head.size());
      m_head.append(reinterpret_cast<const char*>(chunk.data()), take);
    }
    if (n >= kTailBytes)
      m_tail.assign(reinterpret_cast<const char*>(chunk.data() + n - kTailBytes), kTailBytes);
    else if (n > 0) {
      m_tail.append(reinterpret_cast<const char*>(chunk.data()), n);
      if (m_tail.size() > kTailBytes) m_tail.erase(0, m_tail.size() - kTailBytes);
    }
    return n;
  }

  void drain()
  {
    std::vector<std::byte> buffer(kBufferBytes);
    while (read(buffer) > 0) {
    }
  }

  std::string hex_digest() { return m_hash.hex_digest(); }
  FastDigest fast_digest() { return m_fast.finish(); }
  std::uint64_t bytes() const { return m_bytes; }
  const std::string& head() const { return m_head; }
  const std::string& tail() const { return m_tail; }

private:
  storage::ReadStream& m_inner;
  Sha256 m_hash;
  FastHasher m_fast;
  std::size_t m_head_limit;
  std::uint64_t m_bytes = 0;
  std::string m_head, m_tail;
};

} // namespace

ReadResult read_and_classify(storage::Storage& storage, const storage::ObjectInfo& info)
{
  ReadResult result;
  result.info = info;
  try {
    // read_listed trusts the listing's size and ETag (S3: no HEAD first).
    auto source = storage.read_listed(info);
    // A listing does not carry what only the object's own metadata has (S3:
    // version id, object-lock retain-until): the read's answer gives it, else
    // one stat does.
    if (info.version_id.empty() && info.retain_until.empty() && !info.etag.empty()) {
      if (auto details = source->details()) {
        result.info.version_id = details->version_id;
        result.info.retain_until = details->retain_until;
      } else if (auto fresh = storage.stat(info.key)) {
        result.info.version_id = fresh->version_id;
        result.info.retain_until = fresh->retain_until;
      }
    }
    HashingStream stream(*source, wants_whole_file(info.key) ? kWholeFileLimit : kHeadBytes);
    if (is_base_tar_name(info.key)) {
      result.classification = classify_base_tar(stream);
      stream.drain();
    } else if (is_wal_tar_name(info.key)) {
      result.classification = classify_wal_tar(stream);
      stream.drain();
    } else {
      stream.drain();
      result.classification = classify_object(info.key, info.size, stream.head(), stream.tail());
    }
    result.bytes_read = stream.bytes();
    if (stream.bytes() != info.size) {
      // Changed while we read it: the hash describes neither version reliably.
      result.read_error = "size changed while reading (listed " + std::to_string(info.size) +
                          " bytes, read " + std::to_string(stream.bytes()) +
                          "); is it still being written? Scan again when it is complete";
      return result;
    }
    result.sha256 = stream.hex_digest();
    result.fast = stream.fast_digest();
  } catch (const Error& e) {
    result.read_error = e.what();
  } catch (const std::exception& e) {
    result.read_error = std::string("unexpected error: ") + e.what();
  }
  return result;
}

} // namespace lastgood::catalog
