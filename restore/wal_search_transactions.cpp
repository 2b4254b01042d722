#include "restore/wal_search_transactions.hpp"

#include <algorithm>

namespace lastgood::restore {

bool in_database(const pg::TransactionActivity& t, std::optional<std::uint32_t> wanted)
{
  if (!wanted) return true;
  const auto database = *wanted;
  auto file_in = [&](const pg::RelFile& f) { return f.database == database; };
  auto oid_in = [&](const pg::RelationOid& o) { return o.database == database; };
  return std::any_of(t.touches.begin(), t.touches.end(),
                     [&](const auto& touch) { return file_in(touch.file); }) ||
         std::any_of(t.created.begin(), t.created.end(), file_in) ||
         std::any_of(t.dropped.begin(), t.dropped.end(), file_in) ||
         std::any_of(t.locked.begin(), t.locked.end(), oid_in) ||
         std::any_of(t.dropped_stats.begin(), t.dropped_stats.end(), oid_in) ||
         std::any_of(t.truncated.begin(), t.truncated.end(), oid_in);
}

void merge(SearchedTransaction& into, const pg::TransactionActivity& t,
           std::optional<std::uint32_t> database)
{
  auto ours = [&](const pg::RelFile& f) { return !database || f.database == *database; };
  into.first_lsn = std::min(into.first_lsn, t.first_lsn);
  for (const auto& touch : t.touches) {
    if (!ours(touch.file)) continue;
    auto& sum = into.touches[touch.file];
    sum.file = touch.file;
    sum.inserts += touch.inserts;
    sum.updates += touch.updates;
    sum.deletes += touch.deletes;
    sum.records += touch.records;
  }
  for (const auto& f : t.created)
    if (ours(f)) into.created.insert(f);
  for (const auto& f : t.dropped)
    if (ours(f)) into.dropped.insert(f);
  into.locked.insert(t.locked.begin(), t.locked.end());
  into.dropped_stats.insert(t.dropped_stats.begin(), t.dropped_stats.end());
  into.truncated.insert(t.truncated.begin(), t.truncated.end());
  into.full_page_images += t.full_page_images;
}

void merge(SearchedTransaction& into, const SearchedTransaction& sub)
{
  into.first_lsn = std::min(into.first_lsn, sub.first_lsn);
  for (const auto& [file, touch] : sub.touches) {
    auto& sum = into.touches[file];
    sum.file = file;
    sum.inserts += touch.inserts;
    sum.updates += touch.updates;
    sum.deletes += touch.deletes;
    sum.records += touch.records;
  }
  into.created.insert(sub.created.begin(), sub.created.end());
  into.dropped.insert(sub.dropped.begin(), sub.dropped.end());
  into.locked.insert(sub.locked.begin(), sub.locked.end());
  into.dropped_stats.insert(sub.dropped_stats.begin(), sub.dropped_stats.end());
  into.truncated.insert(sub.truncated.begin(), sub.truncated.end());
  into.full_page_images += sub.full_page_images;
}

bool intersects(const std::set<pg::RelFile>& a, const std::set<pg::RelFile>& b)
{
  return std::any_of(a.begin(), a.end(), [&](const auto& f) { return b.count(f) > 0; });
}

bool in_window(const SearchedTransaction& t, const std::optional<std::string>& after,
               const std::optional<std::string>& before)
{
  if (after && (!t.time || *t.time < *after)) return false;
  if (before && (!t.time || *t.time > *before)) return false;
  return true;
}

std::vector<EventWithUnknownFiles>
events_on_files_created_later(const std::map<std::uint32_t, SearchedTransaction>& transactions,
                              const std::optional<std::string>& after,
                              const std::optional<std::string>& before)
{
  std::map<pg::RelFile, std::pair<std::uint32_t, std::uint64_t>> creator; // xid, commit LSN
  for (const auto& [xid, t] : transactions)
    if (t.kind == "commit" && t.end_lsn)
      for (const auto& f : t.created)
        creator.emplace(f, std::pair{xid, *t.end_lsn});
  std::vector<EventWithUnknownFiles> events;
  for (const auto& [xid, t] : transactions) {
    if (t.kind != "commit" || !t.end_lsn || !in_window(t, after, before)) continue;
    EventWithUnknownFiles event{xid, t.first_lsn, {}};
    auto consider = [&](const pg::RelFile& f) {
      auto c = creator.find(f);
      if (c != creator.end() && c->second.first != xid && c->second.second < t.first_lsn)
        event.files.insert(f);
    };
    for (const auto& [file, touch] : t.touches)
      consider(file);
    for (const auto& f : t.dropped)
      consider(f);
    if (!event.files.empty()) events.push_back(std::move(event));
  }
  return events;
}

} // namespace lastgood::restore
