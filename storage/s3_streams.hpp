#pragma once
// Reading and writing one S3 object. Reads are ranged GETs of read_part_size
// bytes each, up to read_concurrency of them in flight ahead of the reader
// (so a dropped connection costs one part, retried, and no more than
// read_concurrency + 1 parts are held in memory); the parts reach the reader
// in order, each checked against the object's ETag. Writes are one PUT, or a
// multipart upload for objects larger than one part, aborted on any failure.

#include "storage/s3_client.hpp"
#include "storage/storage.hpp"

#include <deque>
#include <future>
#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace lastgood::storage {

class S3ReadStream : public ReadStream
{
public:
  // Starts fetching at once, so a missing key throws NotFoundError here.
  // listed: what a listing said of the whole object (size, ETag); with it no
  // request waits for another's answer before the read-ahead starts.
  S3ReadStream(std::shared_ptr<S3Client> client, std::string key, std::uint64_t offset,
               std::optional<std::uint64_t> length, const ObjectInfo* listed = nullptr);
  ~S3ReadStream() override;
  std::size_t read(std::span<std::byte> buffer) override;
  std::optional<ObjectDetails> details() const override { return m_details; }

  // One ranged GET's answer.
  struct Part
  {
    std::uint64_t offset = 0;
    std::uint64_t asked = 0; // bytes asked for
    std::string bytes;
    bool past_end = false;   // 416: the object ends before offset
    std::uint64_t total = 0; // the object's size as this answer gave it
    std::string etag;
    ObjectDetails details;
  };

private:
  void read_ahead();
  void next_part();

  std::shared_ptr<S3Client> m_client;
  std::string m_key;
  std::uint64_t m_next;                  // absolute offset of the next part to ask for
  std::optional<std::uint64_t> m_end;    // absolute end (exclusive), once known
  std::string m_etag;                    // the object must not change while it is read
  std::deque<std::future<Part>> m_ahead; // parts asked for, in offset order
  std::optional<ObjectDetails> m_details;
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
