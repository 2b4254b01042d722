#pragma once
// Writing one object into a repository while hashing (SHA-256, XXH3-128 per block), counting and
// keeping the head and tail of exactly the bytes stored, so the object can be
// cataloged without reading it back. Nothing is visible until commit();
// destroying an uncommitted writer discards what was written.

#include "catalog/ingest.hpp"
#include "common/fast_hash.hpp"
#include "common/sha256.hpp"
#include "storage/storage.hpp"

#include <cstdint>
#include <memory>
#include <span>
#include <string>

namespace lastgood::backup {

class StoredObjectWriter
{
public:
  // Refuses (Error) to replace an existing object at key.
  StoredObjectWriter(storage::Storage& storage, std::string key);

  void write(std::span<const std::byte> data);
  std::uint64_t size() const { return m_size; }
  const std::string& key() const { return m_key; }

  // Commits the object and returns what the catalog needs about it (with the
  // metadata storage reports now). Call once. If storage then reports another
  // size than was written, the object is removed again and StorageError thrown.
  catalog::IngestObject commit();

private:
  // Removes the committed object whose size storage misreports; says how that went.
  std::string remove_short_object();

  storage::Storage& m_storage;
  std::string m_key;
  std::unique_ptr<storage::WriteStream> m_stream;
  Sha256 m_hash;
  FastHasher m_fast;
  std::uint64_t m_size = 0;
  std::string m_head, m_tail;
};

} // namespace lastgood::backup
