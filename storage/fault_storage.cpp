#include "storage/fault_storage.hpp"

#include "common/error.hpp"
#include "storage/fs_support.hpp"

#include <algorithm>
#include <cerrno>
#include <fnmatch.h>
#include <thread>

namespace lastgood::storage {

namespace {

int errno_of(FaultKind kind)
{
  return kind == FaultKind::NoSpace ? ENOSPC : EIO;
}

bool fails(const FaultRule& rule)
{
  return rule.kind == FaultKind::NoSpace || rule.kind == FaultKind::Io;
}

// Counts this call against every rule it matches; the first rule whose
// at_call has been reached strikes.
std::optional<FaultRule> strike(FaultStorage::State& state, FaultOperation operation,
                                std::string_view key)
{
  const std::string name(key);
  std::lock_guard lock(state.mutex);
  std::optional<FaultRule> struck;
  for (std::size_t i = 0; i < state.rules.size(); ++i) {
    const auto& rule = state.rules[i];
    if (rule.operation != operation || ::fnmatch(rule.key_pattern.c_str(), name.c_str(), 0) != 0)
      continue;
    if (++state.calls[i] >= rule.at_call && !struck) struck = rule;
  }
  return struck;
}

class FaultReadStream : public ReadStream
{
public:
  FaultReadStream(std::unique_ptr<ReadStream> inner, FaultRule rule, std::uint64_t offset,
                  std::string key, std::string repo)
      : m_inner(std::move(inner)), m_rule(std::move(rule)), m_position(offset),
        m_key(std::move(key)), m_repo(std::move(repo))
  {
  }
  std::size_t read(std::span<std::byte> buffer) override
  {
    if (m_position < m_rule.at_byte) {
      // Full speed up to the fault's byte, and not one byte past it.
      buffer = buffer.first(std::min<std::uint64_t>(buffer.size(), m_rule.at_byte - m_position));
    } else if (fails(m_rule)) {
      throw_injected(errno_of(m_rule.kind), "cannot read", m_key, m_repo);
    } else {
      std::this_thread::sleep_for(m_rule.delay);
      buffer = buffer.first(std::min(buffer.size(), m_rule.chunk));
    }
    const std::size_t n = m_inner->read(buffer);
    m_position += n;
    return n;
  }
  std::optional<ObjectDetails> details() const override { return m_inner->details(); }

private:
  std::unique_ptr<ReadStream> m_inner;
  FaultRule m_rule;
  std::uint64_t m_position; // in the object, not the range
  std::string m_key, m_repo;
};

class FaultWriteStream : public WriteStream
{
public:
  FaultWriteStream(std::unique_ptr<WriteStream> inner, FaultRule rule, std::string key,
                   std::string repo)
      : m_inner(std::move(inner)), m_rule(std::move(rule)), m_key(std::move(key)),
        m_repo(std::move(repo))
  {
  }
  void write(std::span<const std::byte> data) override
  {
    if (m_failed) throw_injected(errno_of(m_rule.kind), "cannot write", m_key, m_repo);
    // What lands: everything before at_byte (a full disk still takes the first part).
    const std::uint64_t room = m_position < m_rule.at_byte ? m_rule.at_byte - m_position : 0;
    const std::size_t landing =
        static_cast<std::size_t>(std::min<std::uint64_t>(data.size(), room));
    if (landing) m_inner->write(data.first(landing));
    m_position += data.size();
    if (landing < data.size() && fails(m_rule)) {
      m_failed = true;
      throw_injected(errno_of(m_rule.kind), "cannot write", m_key, m_repo);
    }
    // ShortWrite: the rest is dropped without a word.
  }
  void commit() override
  {
    // A failure not struck yet strikes now, as ENOSPC or EIO from fsync would.
    if (fails(m_rule)) {
      m_failed = true;
      throw_injected(errno_of(m_rule.kind), "cannot write", m_key, m_repo);
    }
    m_inner->commit();
  }

private:
  std::unique_ptr<WriteStream> m_inner;
  FaultRule m_rule;
  std::string m_key, m_repo;
  std::uint64_t m_position = 0;
  bool m_failed = false;
};

} // namespace

void throw_injected(int err, std::string_view action, std::string_view key, std::string_view repo)
{
  try {
    throw_errno(err, action, key, repo);
  } catch (const StorageError& e) {
    std::string message = e.what();
    // An empty key is the whole repository (a listing from the root).
    if (key.empty()) message.replace(action.size(), 3, " the repository root");
    throw StorageError(message + " [injected by " + kTestFaultsVariable + "]", e.permanent());
  }
}

FaultStorage::FaultStorage(std::unique_ptr<Storage> inner, std::vector<FaultRule> rules)
    : m_inner(std::move(inner)), m_state(std::make_shared<State>())
{
  m_state->calls.assign(rules.size(), 0);
  m_state->rules = std::move(rules);
}

std::string FaultStorage::display_url() const
{
  return m_inner->display_url();
}

void FaultStorage::list(std::string_view prefix,
                        const std::function<void(const ObjectInfo&)>& on_object,
                        const std::function<void(const ListProblem&)>& on_problem)
{
  if (auto rule = strike(*m_state, FaultOperation::List, prefix))
    throw_injected(errno_of(rule->kind), "cannot list", prefix, display_url());
  m_inner->list(prefix, on_object, on_problem);
}

std::optional<ObjectInfo> FaultStorage::stat(std::string_view key)
{
  if (auto rule = strike(*m_state, FaultOperation::Stat, key))
    throw_injected(errno_of(rule->kind), "cannot stat", key, display_url());
  return m_inner->stat(key);
}

std::unique_ptr<ReadStream> FaultStorage::read(std::string_view key, std::uint64_t offset,
                                               std::optional<std::uint64_t> length)
{
  auto rule = strike(*m_state, FaultOperation::Read, key);
  auto stream = m_inner->read(key, offset, length);
  if (!rule) return stream;
  return std::make_unique<FaultReadStream>(std::move(stream), *rule, offset, std::string(key),
                                           display_url());
}

std::unique_ptr<ReadStream> FaultStorage::read_listed(const ObjectInfo& listed)
{
  auto rule = strike(*m_state, FaultOperation::Read, listed.key);
  auto stream = m_inner->read_listed(listed);
  if (!rule) return stream;
  return std::make_unique<FaultReadStream>(std::move(stream), *rule, 0, listed.key, display_url());
}

std::unique_ptr<WriteStream> FaultStorage::write(std::string_view key)
{
  auto rule = strike(*m_state, FaultOperation::Write, key);
  auto stream = m_inner->write(key);
  if (!rule) return stream;
  return std::make_unique<FaultWriteStream>(std::move(stream), *rule, std::string(key),
                                            display_url());
}

void FaultStorage::remove(std::string_view key)
{
  if (auto rule = strike(*m_state, FaultOperation::Remove, key))
    throw_injected(errno_of(rule->kind), "cannot remove", key, display_url());
  m_inner->remove(key);
}

std::optional<std::string> FaultStorage::local_path(std::string_view key) const
{
  // A key with read rules must be read through read(), where the faults are.
  const std::string name(key);
  for (const auto& rule : m_state->rules)
    if (rule.operation == FaultOperation::Read &&
        ::fnmatch(rule.key_pattern.c_str(), name.c_str(), 0) == 0)
      return std::nullopt;
  return m_inner->local_path(key);
}

} // namespace lastgood::storage
