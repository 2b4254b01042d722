#pragma once
// Where backups live. A Storage is a flat namespace of keys ('/'-separated,
// relative to the repository root, never starting with '/'), chosen by URL
// scheme (open_storage). Cross-cutting behaviour (retry, logging, fault
// injection) wraps a Storage instead of living inside a backend.

#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace lastgood::storage {

struct ObjectInfo
{
  std::string key;
  std::uint64_t size = 0;
  std::int64_t mtime_ns = 0; // modification time, ns since the epoch; 0 if unknown
  std::string etag;          // backend's content tag (S3 ETag); empty for files
  std::string version_id;    // object version (S3), empty if none
  std::string retain_until;  // object-lock retain-until (RFC 3339), empty if none
};

// A key the listing could not descend into or describe (permission denied,
// symlink loop, dangling link...). Listing reports it and goes on.
struct ListProblem
{
  std::string key;
  std::string message;
};

// What only an object's own answer carries, not a listing (S3: the version
// id and the object-lock retain-until of a GET's headers).
struct ObjectDetails
{
  std::string version_id;   // empty if none
  std::string retain_until; // RFC 3339, empty if none
};

// A stream of bytes being read. read() fills at most buffer.size() bytes and
// returns how many; 0 means end of stream. Throws StorageError on failure,
// including when the object ends before its announced size.
class ReadStream
{
public:
  virtual ~ReadStream() = default;
  virtual std::size_t read(std::span<std::byte> buffer) = 0;
  // The object's details as its answer gave them, once the stream has them
  // (S3: from the first GET); nullopt when the backend cannot say, and the
  // caller asks stat() if it needs them.
  virtual std::optional<ObjectDetails> details() const { return std::nullopt; }
};

// A stream of bytes being written. Nothing is visible under the key until
// commit() succeeds; destroying an uncommitted stream discards what was written.
class WriteStream
{
public:
  virtual ~WriteStream() = default;
  virtual void write(std::span<const std::byte> data) = 0;
  virtual void commit() = 0;
};

class Storage
{
public:
  virtual ~Storage() = default;

  // The repository's URL with any credentials removed; safe to print and store.
  virtual std::string display_url() const = 0;

  // Calls on_object for every object whose key starts with prefix ("" = all),
  // recursively, as they are found (nothing is collected first), in no
  // particular order. Problems with single entries go to on_problem and the
  // listing continues; throws StorageError only if the listing as a whole
  // cannot be done (root missing, permission denied on the root, network).
  virtual void list(std::string_view prefix,
                    const std::function<void(const ObjectInfo&)>& on_object,
                    const std::function<void(const ListProblem&)>& on_problem) = 0;

  // The object's metadata, or nullopt if there is no such object.
  virtual std::optional<ObjectInfo> stat(std::string_view key) = 0;

  // Reads the object from offset, at most length bytes (nullopt = to the end).
  // Throws NotFoundError if the key does not exist.
  virtual std::unique_ptr<ReadStream> read(std::string_view key, std::uint64_t offset = 0,
                                           std::optional<std::uint64_t> length = std::nullopt) = 0;

  // Reads a whole object as a listing described it. A backend may trust the
  // listing's size and ETag instead of asking again (S3: no HEAD, parallel
  // ranged GETs from the start, each one refused if the ETag changed).
  virtual std::unique_ptr<ReadStream> read_listed(const ObjectInfo& listed)
  {
    return read(listed.key);
  }

  // Starts writing key (replacing it atomically at commit, creating parents).
  virtual std::unique_ptr<WriteStream> write(std::string_view key) = 0;

  // Removes the object. Removing a missing key throws NotFoundError.
  virtual void remove(std::string_view key) = 0;

  // Removes several objects (S3: batch delete, 1,000 keys a request). Keys
  // already gone are skipped, not an error; throws StorageError naming the
  // keys that could not be removed.
  virtual void remove_many(const std::vector<std::string>& keys);

  // The object's path on this machine's file system when the backend is one
  // (PostgreSQL tools such as pg_restore -j need a seekable file), else nullopt
  // and callers copy the object to a temporary file first.
  virtual std::optional<std::string> local_path(std::string_view key) const
  {
    (void)key;
    return std::nullopt;
  }
};

// Chooses the backend by scheme: "file:///abs/path", a bare path, "memory://name",
// "s3://bucket/prefix?region=...&endpoint=...&path_style=true" (docs/s3.md).
// Throws UsageError for an unknown scheme.
std::unique_ptr<Storage> open_storage(std::string_view url);

// Convenience: reads a whole (small) object, refusing more than max_bytes.
std::string read_all(Storage& storage, std::string_view key, std::size_t max_bytes = 64 << 20);
// Convenience: reads up to max_bytes from the start of an object.
std::string read_head(Storage& storage, std::string_view key, std::size_t max_bytes);

} // namespace lastgood::storage
