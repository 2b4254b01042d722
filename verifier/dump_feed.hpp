#pragma once
// A dump object fed from storage straight into a PostgreSQL tool's stdin
// (pg_restore, psql) instead of being copied to a local file first: a reader
// thread fills a bounded read-ahead buffer while hashing (SHA-256) every raw
// byte, a writer thread empties the buffer into a pipe. The reader goes on to
// the end of the object even when the tool stopped reading early, so the
// object's hash is always known and compared with the catalog's before
// anything restored from the stream is trusted.

#include "catalog/backup_queries.hpp"
#include "storage/storage.hpp"
#include "verifier/finding.hpp"

#include <cstdint>
#include <memory>
#include <optional>
#include <string>

namespace lastgood::verifier {

// Whether `backup` is restored from a stream rather than a local path: a
// custom or plain dump in one object whose storage gives no local path (a
// file repository's tools read the file itself), or one compressed as a
// whole; never a custom dump restored with jobs > 1 (parallel pg_restore
// seeks in the file). LASTGOOD_RESTORE_COPY_FIRST=1 turns streaming off
// (to measure the copy-first path).
bool streams_dump(storage::Storage& storage, const catalog::BackupRow& backup, unsigned jobs);

// "parallel restore of a custom dump needs a local copy: N MB downloaded first",
// or nullopt when the dump is streamed or read in place.
std::optional<std::string> local_copy_note(storage::Storage& storage,
                                           const catalog::BackupRow& backup, unsigned jobs);

struct FeedOutcome
{
  std::uint64_t bytes = 0;                  // raw bytes read from storage
  std::string sha256;                       // of those bytes; empty when reading failed
  std::optional<std::string> read_error;    // storage failed mid-stream
  std::optional<std::string> content_error; // a dump compressed as a whole did not decompress
  std::optional<std::string> connect_line;  // a plain dump's \connect, refused unsent
};

class DumpFeed
{
public:
  struct Options
  {
    std::size_t read_ahead_bytes = 16u << 20;
    bool refuse_connect = false; // stop before a plain dump's \connect line reaches psql
    // false: stop reading once the tool stopped (pg_restore --list reads only
    // the head); the outcome then has no sha256.
    bool hash_all = true;
    // Set: the tool opens this named FIFO (made by the caller) instead of
    // reading stdin. Reading starts once the tool opened it, so a member the
    // tool never asks for costs neither memory nor a download; once fed, the
    // FIFO is removed, so opening it a second time fails instead of hanging.
    std::string fifo_path{};
  };
  // Starts reading the backup's dump object (decompressing a dump compressed
  // as a whole) at once.
  DumpFeed(storage::Storage& storage, const catalog::BackupRow& backup,
           const catalog::BackupObjectRow& object, Options options);
  ~DumpFeed();
  DumpFeed(const DumpFeed&) = delete;
  DumpFeed& operator=(const DumpFeed&) = delete;

  // The pipe's read end, for pg::ProcessOptions::stdin_fd (-1 with a fifo_path).
  int tool_stdin() const;
  // Call once the tool exited: closes the read end, waits for the threads.
  FeedOutcome finish();
  // With a fifo_path: whether the tool opened the FIFO (known after finish()).
  bool opened_by_tool() const;

private:
  struct State;
  std::unique_ptr<State> m_state;
};

// One object read through a feed (or hashed beside one), with what reading found.
struct StreamedObject
{
  catalog::BackupObjectRow object;
  FeedOutcome outcome;
};

// Reads `object` to its end only to hash it (a member the tool never asked for).
FeedOutcome hash_object(storage::Storage& storage, const catalog::BackupObjectRow& object);

// What a finished feed of `object` says: a read error is an Error finding
// (nothing is known about the backup), a SHA-256 other than the catalog's a
// Failure (the bytes restored are not the bytes cataloged).
Findings feed_findings(const catalog::BackupObjectRow& object, const FeedOutcome& outcome);

} // namespace lastgood::verifier
