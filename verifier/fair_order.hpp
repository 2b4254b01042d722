#pragma once
// Fleet fairness: the source server a backup comes from (what the per-source
// cap of concurrent test restores counts), and an order of planned work that
// takes one item from each source in turn, so a source with thousands of due
// backups does not keep the others waiting.

#include "catalog/backup_queries.hpp"

#include <deque>
#include <map>
#include <string>
#include <utility>
#include <vector>

namespace lastgood::verifier {

// The named source; a base backup of a repository that names none: its
// cluster; else "default".
std::string source_server_key(const catalog::BackupRow& backup);

// Reorders items round-robin across sources (key_of(item)), keeping each
// source's own order and the first appearance order of the sources.
template <typename T, typename KeyOf>
std::vector<T> round_robin_by_source(std::vector<T> items, KeyOf key_of)
{
  std::vector<std::string> sources; // first appearance order
  std::map<std::string, std::deque<T>> queues;
  for (auto& item : items) {
    auto key = key_of(item);
    auto [slot, added] = queues.try_emplace(key);
    if (added) sources.push_back(key);
    slot->second.push_back(std::move(item));
  }
  std::vector<T> out;
  out.reserve(items.size());
  while (out.size() < items.size())
    for (const auto& source : sources)
      if (auto& queue = queues[source]; !queue.empty()) {
        out.push_back(std::move(queue.front()));
        queue.pop_front();
      }
  return out;
}

} // namespace lastgood::verifier
