#include "backup/stored_object.hpp"

#include "catalog/classify.hpp"
#include "common/error.hpp"

#include <algorithm>

namespace lastgood::backup {

StoredObjectWriter::StoredObjectWriter(storage::Storage& storage, std::string key)
    : m_storage(storage), m_key(std::move(key))
{
  if (m_storage.stat(m_key))
    throw Error("an object already exists at " + m_key + " in " + m_storage.display_url() +
                "; lastgood backup never replaces one: wait a second or pass another --label");
  m_stream = m_storage.write(m_key);
}

void StoredObjectWriter::write(std::span<const std::byte> data)
{
  if (data.empty()) return;
  m_stream->write(data);
  m_hash.update(data);
  m_fast.update(data);
  m_size += data.size();
  const char* bytes = reinterpret_cast<const char*>(data.data());
  if (m_head.size() < catalog::kHeadBytes)
    m_head.append(bytes, std::min(data.size(), catalog::kHeadBytes - m_head.size()));
  if (data.size() >= catalog::kTailBytes) {
    m_tail.assign(bytes + data.size() - catalog::kTailBytes, catalog::kTailBytes);
  } else {
    m_tail.append(bytes, data.size());
    if (m_tail.size() > catalog::kTailBytes) m_tail.erase(0, m_tail.size() - catalog::kTailBytes);
  }
}

std::string StoredObjectWriter::remove_short_object()
{
  try {
    m_storage.remove(m_key);
    return ", so it was removed again";
  } catch (const Error& e) {
    return "; removing it failed too (" + std::string(e.what()) + "): delete " + m_key + " by hand";
  }
}

catalog::IngestObject StoredObjectWriter::commit()
{
  m_stream->commit();
  m_stream.reset();
  catalog::IngestObject object;
  auto info = m_storage.stat(m_key);
  if (!info || info->size != m_size) {
    std::string message =
        "after writing " + std::to_string(m_size) + " bytes to " + m_key + " in " +
        m_storage.display_url() + ", the repository reports " +
        (info ? std::to_string(info->size) + " bytes" : std::string("no object")) +
        ": the storage lost part of it";
    // A short object under its final name would look like a finished backup.
    if (info) message += remove_short_object();
    throw StorageError(message + "; check the repository's disk or server");
  }
  object.info = *info;
  object.sha256 = m_hash.hex_digest();
  object.fast = m_fast.finish();
  object.head = std::move(m_head);
  object.tail = std::move(m_tail);
  return object;
}

} // namespace lastgood::backup
