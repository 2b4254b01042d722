#pragma once
// A closable multi-producer multi-consumer queue. With a capacity, push()
// blocks while full, so a fast producer cannot pile up unbounded work.

#include <condition_variable>
#include <cstddef>
#include <deque>
#include <mutex>
#include <optional>

namespace lastgood::catalog {

template <typename T> class WorkQueue {
public:
  explicit WorkQueue(std::size_t capacity = 0) : m_capacity(capacity) {}

  void push(T item)
  {
    std::unique_lock lock(m_mutex);
    m_not_full.wait(lock, [&] { return m_capacity == 0 || m_items.size() < m_capacity; });
    m_items.push_back(std::move(item));
    m_not_empty.notify_one();
  }

  // Blocks until an item arrives or the queue is closed and empty.
  std::optional<T> pop()
  {
    std::unique_lock lock(m_mutex);
    m_not_empty.wait(lock, [&] { return !m_items.empty() || m_closed; });
    return take(lock);
  }

  std::optional<T> try_pop()
  {
    std::unique_lock lock(m_mutex);
    return take(lock);
  }

  void close()
  {
    std::lock_guard lock(m_mutex);
    m_closed = true;
    m_not_empty.notify_all();
  }

private:
  std::optional<T> take(std::unique_lock<std::mutex>&)
  {
    if (m_items.empty()) return std::nullopt;
    T item = std::move(m_items.front());
    m_items.pop_front();
    m_not_full.notify_one();
    return item;
  }

  std::size_t m_capacity;
  std::deque<T> m_items;
  bool m_closed = false;
  std::mutex m_mutex;
  std::condition_variable m_not_empty, m_not_full;
};

} // namespace lastgood::catalog
