#pragma once
// The read and write streams of FsStorage (internal to storage/).

#include "storage/posix_handles.hpp"
#include "storage/storage.hpp"

#include <cstdint>
#include <string>

namespace lastgood::storage {

// Reads [position, end) of an open file with pread.
class FsReadStream : public ReadStream
{
public:
  FsReadStream(UniqueFd fd, std::uint64_t position, std::uint64_t end, std::string key,
               std::string repo);
  std::size_t read(std::span<std::byte> buffer) override;

private:
  UniqueFd m_fd;
  std::uint64_t m_position;
  std::uint64_t m_end;
  std::string m_key;
  std::string m_repo;
};

// Writes a temporary file beside the key; commit() makes it the key.
class FsWriteStream : public WriteStream
{
public:
  // root must exist; missing directories between root and the key are created.
  FsWriteStream(const std::string& root, std::string key, std::string repo);
  ~FsWriteStream() override;
  FsWriteStream(const FsWriteStream&) = delete;
  FsWriteStream& operator=(const FsWriteStream&) = delete;

  void write(std::span<const std::byte> data) override;
  void commit() override;

private:
  void make_parent_directories(const std::string& root);
  void open_temp_file();
  void check_open(std::string_view operation) const;

  std::string m_key;
  std::string m_repo;
  std::string m_dir_path;   // directory that holds the key
  std::string m_final_path; // the key's file
  std::string m_temp_path;  // where bytes go until commit
  UniqueFd m_fd;
  bool m_committed = false;
};

} // namespace lastgood::storage
