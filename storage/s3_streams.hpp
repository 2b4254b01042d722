#pragma once
// Reading and writing one S3 object. Reads are ranged GETs of part_size
// bytes each (so a dropped connection costs one chunk, retried, and nothing
// is held in memory beyond a chunk); writes are one PUT, or a multipart
// upload for objects larger than one part, aborted on any failure.

#include "storage/s3_client.hpp"
#include "storage/storage.hpp"

#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace lastgood::storage {

class S3ReadStream : public ReadStream
{
public:
  // Fetches the first chunk at once, so a missing key throws NotFoundError here.
  S3ReadStream(std::shared_ptr<S3Client> client, std::string key, std::uint64_t offset,
               std::optional<std::uint64_t> length);
  std::size_t read(std::span<std::byte> buffer) override;

private:
  void fetch();

  std::shared_ptr<S3Client> m_client;
  std::string m_key;
  std::uint64_t m_next;               // absolute offset of the next chunk
  std::optional<std::uint64_t> m_end; // absolute end (exclusive), once known
  std::string m_etag;                 // of the first chunk: the object must not change
  std::string m_chunk;
  std::size_t m_used = 0;
  bool m_eof = false;
};

class S3WriteStream : public WriteStream
{
public:
  S3WriteStream(std::shared_ptr<S3Client> client, std::string key);
  ~S3WriteStream() override;
  void write(std::span<const std::byte> data) override;
  void commit() override;

private:
  void upload_part();
  void abort() noexcept;
  void remove_marker() noexcept;
  template <typename F> void or_abort(F&& step);

  std::shared_ptr<S3Client> m_client;
  std::string m_key;
  std::string m_buffer;
  std::string m_upload_id;
  std::string m_marker_key; // see storage/s3_uploads.hpp
  std::vector<std::string> m_part_etags;
  bool m_done = false; // committed or failed: no more writes
};

} // namespace lastgood::storage
