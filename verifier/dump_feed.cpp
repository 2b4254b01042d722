#include "verifier/dump_feed.hpp"

#include "common/error.hpp"
#include "common/sha256.hpp"
#include "pg/decompress.hpp"
#include "verifier/growing_range_stream.hpp"
#include "verifier/hashing_stream.hpp"

#include <cerrno>
#include <condition_variable>
#include <csignal>
#include <cstdlib>
#include <cstring>
#include <deque>
#include <fcntl.h>
#include <functional>
#include <mutex>
#include <pthread.h>
#include <string_view>
#include <thread>
#include <unistd.h>
#include <vector>

namespace lastgood::verifier {

namespace {

constexpr std::size_t kChunk = 1 << 20;

std::string outer_compression(const catalog::BackupRow& backup)
{
  const auto compression = backup.compression.value_or("");
  if (compression.starts_with("zstd (outer)")) return "zst";
  if (compression.starts_with("gzip (outer)")) return "gz";
  return "";
}

// The first line of `text` starting with \connect or \c (pg_dump --create).
std::optional<std::string> connect_line(std::string_view text, bool at_line_start)
{
  for (std::size_t pos = at_line_start ? 0 : text.find('\n');
       pos != std::string_view::npos && pos < text.size();) {
    if (text[pos] == '\n') ++pos;
    auto line = text.substr(pos, std::min<std::size_t>(80, text.size() - pos));
    if (line.starts_with("\\connect") || line.starts_with("\\c "))
      return std::string(line.substr(0, line.find('\n')));
    pos = text.find('\n', pos);
  }
  return std::nullopt;
}

} // namespace

bool streams_dump(storage::Storage& storage, const catalog::BackupRow& backup, unsigned jobs)
{
  if (const char* hook = std::getenv("LASTGOOD_RESTORE_COPY_FIRST"); hook && *hook == '1')
    return false;
  if (backup.format != "custom" && backup.format != "plain") return false;
  if (backup.format == "custom" && jobs > 1) return false;
  return !outer_compression(backup).empty() || !storage.local_path(backup.root_key);
}

std::optional<std::string> local_copy_note(storage::Storage& storage,
                                           const catalog::BackupRow& backup, unsigned jobs)
{
  if (backup.format != "custom" || jobs <= 1) return std::nullopt;
  if (outer_compression(backup).empty() && storage.local_path(backup.root_key)) return std::nullopt;
  std::uint64_t size = 0;
  if (auto info = storage.stat(backup.root_key)) size = info->size;
  return "parallel restore of a custom dump needs a local copy: " +
         std::to_string((size + (1 << 20) - 1) >> 20) + " MB downloaded first";
}

struct DumpFeed::State
{
  Options options;
  int read_fd = -1, write_fd = -1;
  std::mutex mutex;
  std::condition_variable changed;
  std::deque<std::vector<std::byte>> queue;
  std::size_t queued_bytes = 0;
  bool reader_done = false, writer_gone = false;
  bool cancelled = false;   // destroyed without finish(): the tool never ran to the end
  bool tool_opened = false; // fifo_path: the tool opened the FIFO before finish()
  FeedOutcome outcome;
  std::thread reader, writer;
  std::function<void()> start_reader;

  void push(std::vector<std::byte> chunk)
  {
    std::unique_lock lock(mutex);
    changed.wait(lock, [&] { return writer_gone || queued_bytes < options.read_ahead_bytes; });
    if (writer_gone) return; // the tool stopped reading: keep hashing, drop the bytes
    queued_bytes += chunk.size();
    queue.push_back(std::move(chunk));
    changed.notify_all();
  }

  void read_all(storage::Storage& storage, const catalog::BackupRow& backup, std::string key,
                std::uint64_t size)
  {
    Sha256 hash;
    // Outside the try: the catch below still reads the raw stream.
    std::unique_ptr<storage::ReadStream> in;
    storage::ReadStream* raw = nullptr;
    if (!options.fifo_path.empty()) {
      std::unique_lock lock(mutex);
      changed.wait(lock, [&] { return tool_opened || writer_gone || cancelled; });
      if (!tool_opened || cancelled) {
        reader_done = true; // never asked for: nothing read, nothing known
        changed.notify_all();
        return;
      }
    }
    try {
      // A tool that reads only the head gets it without the rest being fetched ahead.
      auto source = options.hash_all || size == 0
                        ? storage.read(key)
                        : std::make_unique<GrowingRangeStream>(storage, key, size);
      in = std::make_unique<TallyingStream>(std::move(source), hash, outcome.bytes);
      raw = in.get();
      if (auto outer = outer_compression(backup); !outer.empty())
        in = pg::decompressing_stream(std::move(in), outer);
      bool at_line_start = true, refused = false, stopped_early = false;
      for (;;) {
        {
          // Room first, then read: nothing is fetched beyond the read-ahead
          // (pg_restore --list stops early; what it never needs stays unread).
          std::unique_lock lock(mutex);
          changed.wait(lock, [&] {
            return cancelled || writer_gone || queued_bytes < options.read_ahead_bytes;
          });
          if (cancelled || (!options.hash_all && writer_gone)) {
            stopped_early = true;
            break;
          }
        }
        std::vector<std::byte> chunk(kChunk);
        std::size_t n = in->read(chunk);
        if (n == 0) break;
        chunk.resize(n);
        if (options.refuse_connect && !refused) {
          std::string_view text(reinterpret_cast<const char*>(chunk.data()), n);
          if ((outcome.connect_line = connect_line(text, at_line_start))) {
            refused = true;
            std::lock_guard lock(mutex);
            writer_gone = true; // nothing from here on reaches psql
            changed.notify_all();
          }
          at_line_start = text.back() == '\n';
        }
        if (!refused) push(std::move(chunk));
      }
      if (!stopped_early) outcome.sha256 = hash.hex_digest();
    } catch (const ValidationError& e) {
      // The bytes do not decompress: read the rest of the raw object, so a
      // change since cataloging is told apart from a dump damaged from the start.
      stop_writing();
      outcome.content_error = e.what();
      try {
        std::vector<std::byte> rest(kChunk);
        while (raw->read(rest) > 0) {
        }
        outcome.sha256 = hash.hex_digest();
      } catch (const std::exception& again) {
        outcome.read_error = again.what();
      }
    } catch (const std::exception& e) {
      outcome.read_error = e.what();
    }
    std::lock_guard lock(mutex);
    reader_done = true;
    changed.notify_all();
  }

  void stop_writing()
  {
    std::lock_guard lock(mutex);
    writer_gone = true;
    changed.notify_all();
  }

  void write_all()
  {
    // A tool that exits early makes write() fail with EPIPE; the signal stays
    // blocked in this thread and is discarded with it.
    sigset_t pipe_signal;
    sigemptyset(&pipe_signal);
    sigaddset(&pipe_signal, SIGPIPE);
    pthread_sigmask(SIG_BLOCK, &pipe_signal, nullptr);
    if (!options.fifo_path.empty()) {
      if (!open_fifo()) return;
      start_reader(); // joined by finish() after this thread
    }
    for (;;) {
      std::vector<std::byte> chunk;
      {
        std::unique_lock lock(mutex);
        changed.wait(lock, [&] { return !queue.empty() || reader_done || writer_gone; });
        if (writer_gone || queue.empty()) break;
        chunk = std::move(queue.front());
        queue.pop_front();
        queued_bytes -= chunk.size();
        changed.notify_all();
      }
      for (std::size_t done = 0; done < chunk.size();) {
        ssize_t n = ::write(write_fd, chunk.data() + done, chunk.size() - done);
        if (n < 0 && errno == EINTR) continue;
        if (n <= 0) {
          std::lock_guard lock(mutex);
          writer_gone = true;
          queue.clear();
          queued_bytes = 0;
          changed.notify_all();
          break;
        }
        done += static_cast<std::size_t>(n);
      }
    }
    // End of input for the tool: the whole object, or (after a read error or
    // a refused line) a truncated one the tool fails on.
    ::close(write_fd);
    write_fd = -1;
    if (!options.fifo_path.empty()) ::unlink(options.fifo_path.c_str());
  }

  // Blocks until the tool opens the FIFO (or finish() opens it to wake us).
  // false: the tool never opened it.
  bool open_fifo()
  {
    int fd = -1;
    do
      fd = ::open(options.fifo_path.c_str(), O_WRONLY | O_CLOEXEC);
    while (fd < 0 && errno == EINTR);
    std::lock_guard lock(mutex);
    if (fd < 0 || writer_gone) {
      if (fd >= 0) ::close(fd);
      ::unlink(options.fifo_path.c_str());
      changed.notify_all();
      return false;
    }
    ::fcntl(fd, F_SETPIPE_SZ, 1 << 20); // as for stdin: fewer wake-ups
    write_fd = fd;
    tool_opened = true;
    changed.notify_all();
    return true;
  }
};

DumpFeed::DumpFeed(storage::Storage& storage, const catalog::BackupRow& backup,
                   const catalog::BackupObjectRow& object, Options options)
    : m_state(std::make_unique<State>())
{
  m_state->options = options;
  if (options.fifo_path.empty()) {
    int fds[2];
    if (::pipe2(fds, O_CLOEXEC) != 0)
      throw Error("could not create a pipe to stream " + object.key + ": " + std::strerror(errno));
    m_state->read_fd = fds[0], m_state->write_fd = fds[1];
    if (options.hash_all)
      ::fcntl(fds[1], F_SETPIPE_SZ, 1 << 20); // fewer wake-ups; the default is fine too
  }
  auto* state = m_state.get();
  m_state->start_reader = [state, &storage, backup, key = object.key, size = object.size] {
    state->reader = std::thread([=, &storage] { state->read_all(storage, backup, key, size); });
  };
  // A FIFO's reader starts once the tool opened it: a member waiting costs one thread.
  if (options.fifo_path.empty()) m_state->start_reader();
  m_state->writer = std::thread([state] { state->write_all(); });
}

DumpFeed::~DumpFeed()
{
  if (!m_state->writer.joinable()) return;
  {
    std::lock_guard lock(m_state->mutex);
    m_state->cancelled = true; // an exception on the way: stop reading, nobody needs the hash
  }
  finish();
}

int DumpFeed::tool_stdin() const
{
  return m_state->read_fd;
}

FeedOutcome DumpFeed::finish()
{
  if (m_state->read_fd >= 0) ::close(m_state->read_fd); // a blocked writer gets EPIPE
  m_state->read_fd = -1;
  int waker = -1;
  {
    std::lock_guard lock(m_state->mutex);
    m_state->writer_gone = true; // the tool is done: the reader only hashes from now on
    m_state->changed.notify_all();
    // A writer still waiting for the tool to open the FIFO returns once any
    // reader opens it; held until the writer is gone. Never once the tool
    // opened it: a writer blocked on a full FIFO must get EPIPE, not a reader.
    if (!m_state->options.fifo_path.empty() && !m_state->tool_opened)
      waker = ::open(m_state->options.fifo_path.c_str(), O_RDONLY | O_NONBLOCK | O_CLOEXEC);
  }
  m_state->writer.join();
  if (waker >= 0) ::close(waker);
  if (m_state->reader.joinable()) m_state->reader.join(); // a FIFO never opened has none
  return m_state->outcome;
}

bool DumpFeed::opened_by_tool() const
{
  std::lock_guard lock(m_state->mutex);
  return m_state->tool_opened;
}

FeedOutcome hash_object(storage::Storage& storage, const catalog::BackupObjectRow& object)
{
  FeedOutcome outcome;
  Sha256 hash;
  try {
    auto in = storage.read(object.key);
    std::vector<std::byte> buffer(kChunk);
    while (auto n = in->read(buffer)) {
      hash.update(std::span(buffer).first(n));
      outcome.bytes += n;
    }
    outcome.sha256 = hash.hex_digest();
  } catch (const std::exception& e) {
    outcome.read_error = e.what();
  }
  return outcome;
}

Findings feed_findings(const catalog::BackupObjectRow& object, const FeedOutcome& outcome)
{
  Findings findings;
  if (outcome.read_error) {
    findings.add(finding_kind::unreadable_object, Severity::Error, object.key,
                 "reading the dump while restoring it failed after " +
                     std::to_string(outcome.bytes) + " bytes (" + *outcome.read_error +
                     "); nothing is known about the backup. Check the repository and try again",
                 {{"bytes_read", outcome.bytes}});
    return findings;
  }
  const bool changed = object.sha256 && !outcome.sha256.empty() && outcome.sha256 != *object.sha256;
  if (outcome.content_error && !changed) {
    findings.add(finding_kind::restore_failed, Severity::Failure, object.key,
                 "the dump does not decompress (" + *outcome.content_error +
                     ") although its bytes are the cataloged ones: this backup cannot be restored");
    return findings;
  }
  if (changed)
    findings.add(
        finding_kind::checksum_mismatch, Severity::Failure, object.key,
        "the bytes streamed into the restore (offsets 0-" + std::to_string(outcome.bytes) +
            ") differ from the cataloged hash (SHA-256 " + outcome.sha256 + ", cataloged " +
            *object.sha256 + "); nothing restored from them is kept",
        {{"expected", *object.sha256}, {"actual", outcome.sha256}, {"bytes", outcome.bytes}});
  return findings;
}

} // namespace lastgood::verifier
