#pragma once
// FaultStorage: a decorator that wraps any Storage and injects the failures of
// a full or failing disk (ENOSPC, EIO), writes that silently lose their tail
// (short writes) and slow, dribbling reads, per operation and key, at a chosen
// byte offset or call count. For tests only: open_storage wraps every storage
// it opens in one when the environment variable LASTGOOD_TEST_FAULTS holds a
// fault plan (parse_fault_plan), and never otherwise.

#include "storage/storage.hpp"

#include <chrono>
#include <cstdint>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <vector>

namespace lastgood::storage {

// The environment variable that switches fault injection on (test only).
inline constexpr const char* kTestFaultsVariable = "LASTGOOD_TEST_FAULTS";

enum class FaultOperation { Read, Write, Stat, List, Remove };

enum class FaultKind {
  NoSpace,    // ENOSPC: the call throws StorageError as a full disk would
  Io,         // EIO: the call throws StorageError as a failing disk would
  ShortWrite, // write only: bytes from at_byte on are dropped, commit() succeeds
  SlowRead,   // read only: from at_byte on, each read() returns at most `chunk`
              // bytes after sleeping `delay`; never fails
};

struct FaultRule
{
  FaultOperation operation = FaultOperation::Read;
  std::string key_pattern = "*"; // fnmatch(3) glob; '*' also matches '/'
  FaultKind kind = FaultKind::Io;
  // Streams (read, write): the fault strikes when the stream reaches this byte
  // of the object (bytes before it pass through). A write fault whose byte is
  // past the end of the object strikes at commit(), as a delayed fsync error does.
  std::uint64_t at_byte = 0;
  // The fault strikes from the at_call-th matching call on (1 = every call):
  // a disk that failed keeps failing.
  std::uint64_t at_call = 1;
  std::chrono::milliseconds delay{1}; // SlowRead
  std::size_t chunk = 4093;           // SlowRead; odd on purpose, to break aligned-read assumptions
};

// Parses a fault plan: rules separated by ';', each a ','-separated list of
// name=value: op=read|write|stat|list|remove (required), fault=enospc|eio|
// short_write|slow_read (required), key=GLOB, at_byte=N, at_call=N, delay_ms=N,
// chunk=N. Example: "op=write,key=*.dump*,fault=enospc,at_byte=65536".
// Throws UsageError naming the bad part.
std::vector<FaultRule> parse_fault_plan(std::string_view plan);

class FaultStorage : public Storage
{
public:
  FaultStorage(std::unique_ptr<Storage> inner, std::vector<FaultRule> rules);

  std::string display_url() const override;
  void list(std::string_view prefix, const std::function<void(const ObjectInfo&)>& on_object,
            const std::function<void(const ListProblem&)>& on_problem) override;
  std::optional<ObjectInfo> stat(std::string_view key) override;
  std::unique_ptr<ReadStream> read(std::string_view key, std::uint64_t offset = 0,
                                   std::optional<std::uint64_t> length = std::nullopt) override;
  std::unique_ptr<ReadStream> read_listed(const ObjectInfo& listed) override;
  std::unique_ptr<WriteStream> write(std::string_view key) override;
  void remove(std::string_view key) override;
  std::optional<std::string> local_path(std::string_view key) const override;

  // Shared by the streams, which may outlive a call but not the storage's rules.
  struct State
  {
    std::vector<FaultRule> rules;
    std::vector<std::uint64_t> calls; // matching calls seen, per rule
    std::mutex mutex;
  };

private:
  std::unique_ptr<Storage> m_inner;
  std::shared_ptr<State> m_state;
};

// The StorageError a real backend would throw for errno `err` on `key`, marked
// as injected so that nobody mistakes it for a real disk failure.
[[noreturn]] void throw_injected(int err, std::string_view action, std::string_view key,
                                 std::string_view repo);

} // namespace lastgood::storage
