#pragma once
// A directory-format dump (pg_dump -Fd) on object storage presented to
// pg_restore without copying its data: a private temporary directory holds
// the small TOC files (toc.dat, blobs*.toc: read whole, hashed and compared
// with the catalog before the tool starts) and one named FIFO per data member
// (NNNN.dat[.gz], blob_N.dat), each fed from storage by a DumpFeed once
// pg_restore opens it (read-ahead, SHA-256 of every byte compared with the
// catalog's at the end). pg_restore opens each data file once, by name, and
// reads it front to back (pg_backup_directory.c, _PrintFileData), so
// `pg_restore --jobs N` reads N members at a time with nothing on local disk.
// It stats members only to order parallel work by size; a FIFO's size is 0,
// so that ordering is lost (all members look equal).

#include "catalog/backup_queries.hpp"
#include "storage/storage.hpp"
#include "verifier/dump_feed.hpp"
#include "verifier/finding.hpp"

#include <memory>
#include <string>
#include <vector>

namespace lastgood::verifier {

// Whether `backup` is a directory dump to stream: a directory-format dump
// whose storage gives no local path (LASTGOOD_RESTORE_COPY_FIRST=1: never).
bool streams_directory_dump(storage::Storage& storage, const catalog::BackupRow& backup);

class DirectoryFeed
{
public:
  // Copies the TOC files and makes the FIFOs; data is read only once
  // pg_restore opens a member. Throws StorageError when a TOC file cannot be read.
  DirectoryFeed(storage::Storage& storage, const catalog::BackupRow& backup,
                const std::vector<catalog::BackupObjectRow>& objects);
  ~DirectoryFeed();
  DirectoryFeed(const DirectoryFeed&) = delete;
  DirectoryFeed& operator=(const DirectoryFeed&) = delete;

  // The directory to hand to pg_restore.
  const std::string& path() const { return m_path; }
  // "directory dump streamed: N data files through FIFOs, only its TOC files (K KB) copied"
  std::string note() const;
  // A TOC file already differs from the catalog: do not run the tool at all.
  const Findings& toc_findings() const { return m_toc_findings; }
  // Call once the tool exited: what streaming every member it opened found
  // (a read error, bytes differing from the catalog's hash), TOC files included.
  // hash_unopened: members the tool never opened are read and hashed now, so
  // every member's bytes are known (the stream is the run's checksum evidence).
  Findings finish(storage::Storage& storage, bool hash_unopened = false);
  // After finish(): every member read, with what reading it found.
  const std::vector<StreamedObject>& streamed() const { return m_streamed; }

private:
  struct Member
  {
    catalog::BackupObjectRow object;
    std::unique_ptr<DumpFeed> feed;
  };
  std::string m_temp_dir, m_path;
  Findings m_toc_findings;
  std::vector<Member> m_members;
  std::vector<StreamedObject> m_streamed; // TOC files at once, members at finish()
  bool m_finished = false;
};

} // namespace lastgood::verifier
