#include "verifier/parallel_batch.hpp"

#include "verifier/fair_order.hpp"

#include <algorithm>
#include <chrono>
#include <condition_variable>
#include <deque>
#include <exception>
#include <mutex>
#include <optional>
#include <set>
#include <thread>

namespace lastgood::verifier {

namespace {

// The work still to do, shared by the workers: planned items in order, then
// restores refused by the per-source cap, retried after a wait.
class SharedWork
{
public:
  SharedWork(const std::vector<PlannedVerification>& work, const BatchOptions& options)
      : m_options(options), m_started(std::chrono::steady_clock::now())
  {
    for (const auto& w : work)
      m_planned.push_back(&w);
  }

  struct Item
  {
    const PlannedVerification* work = nullptr;
    bool retry = false; // refused by the cap before
  };

  // The next item whose backup no other worker has in hand; none when all is
  // done (or left for later: the budget is spent).
  std::optional<Item> take()
  {
    std::unique_lock lock(m_mutex);
    for (;;) {
      if (spent()) {
        m_result.left_for_later += m_planned.size() + m_capped.size();
        m_planned.clear();
        m_capped.clear();
      }
      if (auto item = take_from(m_planned, false)) return item;
      if (auto item = take_from(m_capped, true)) {
        lock.unlock();
        std::this_thread::sleep_for(m_options.capped_retry_wait);
        return item;
      }
      if (m_planned.empty() && m_capped.empty()) return std::nullopt;
      // Only items whose backup another worker has in hand remain: wait for it.
      m_changed.wait(lock);
    }
  }

  void done(const Item& item, VerifyReport report)
  {
    std::lock_guard lock(m_mutex);
    m_in_hand.erase(item.work->backup.id);
    if (report.capped) {
      m_capped.push_back(item.work);
    } else {
      if (item.retry)
        report.notes.push_back("waited for a test-restore slot of " +
                               source_server_key(item.work->backup) +
                               " (verify.max_concurrent_per_source)");
      record_report(m_result, std::move(report), *item.work, m_options);
    }
    m_changed.notify_all();
  }

  void give_back(const Item& item)
  {
    std::lock_guard lock(m_mutex);
    m_in_hand.erase(item.work->backup.id);
    m_changed.notify_all();
  }

  BatchResult& result() { return m_result; }

private:
  bool spent() const
  {
    return m_options.budget.count() > 0 &&
           std::chrono::steady_clock::now() - m_started > m_options.budget;
  }
  std::optional<Item> take_from(std::deque<const PlannedVerification*>& queue, bool retry)
  {
    const auto it = std::find_if(queue.begin(), queue.end(),
                                 [&](const auto* w) { return !m_in_hand.contains(w->backup.id); });
    if (it == queue.end()) return std::nullopt;
    Item item{*it, retry};
    queue.erase(it);
    m_in_hand.insert(item.work->backup.id);
    return item;
  }

  const BatchOptions& m_options;
  const std::chrono::steady_clock::time_point m_started;
  std::mutex m_mutex;
  std::condition_variable m_changed;
  std::deque<const PlannedVerification*> m_planned;
  std::deque<const PlannedVerification*> m_capped;
  std::set<std::int64_t> m_in_hand; // backups a worker is verifying now
  BatchResult m_result;
};

void work_through(Verifier& verifier, SharedWork& shared, const std::string& trigger)
{
  while (auto item = shared.take()) {
    try {
      shared.done(*item, verifier.verify(item->work->backup, item->work->level, trigger));
    } catch (...) {
      shared.give_back(*item);
      throw;
    }
  }
}

} // namespace

BatchResult verify_in_parallel(catalog::Database& db, const VerifierMaker& make, unsigned verifiers,
                               const std::vector<PlannedVerification>& work,
                               const BatchOptions& options)
{
  auto first = make(db);
  const auto workers = std::min<std::size_t>(std::max(verifiers, 1u), work.size());
  if (workers <= 1) return verify_batch(*first, work, options);

  // Once, before any worker starts: what crashed runs left behind.
  const bool any_restore = std::any_of(work.begin(), work.end(),
                                       [](const auto& w) { return w.level == Level::Restore; });
  auto cleaned_up = any_restore ? first->clean_up_after_crashes() : first->sweep_leftovers();

  SharedWork shared(work, options);
  std::mutex failure_mutex;
  std::exception_ptr failure;
  auto remember = [&](std::exception_ptr e) {
    std::lock_guard lock(failure_mutex);
    if (!failure) failure = e;
  };
  std::vector<std::thread> threads;
  for (std::size_t i = 1; i < workers; ++i)
    threads.emplace_back([&] {
      try {
        catalog::Database own(db.location(), catalog::Database::Mode::ReadWrite);
        auto verifier = make(own);
        verifier->mark_cleaned_up();
        work_through(*verifier, shared, options.trigger);
      } catch (...) {
        remember(std::current_exception());
      }
    });
  try {
    work_through(*first, shared, options.trigger);
  } catch (...) {
    remember(std::current_exception());
  }
  for (auto& t : threads)
    t.join();
  if (failure) std::rethrow_exception(failure);
  auto result = std::move(shared.result());
  result.cleaned_up = std::move(cleaned_up);
  return result;
}

} // namespace lastgood::verifier
