#pragma once
// wal search's view of a transaction: its activity summed over every segment
// it wrote in (pg::TransactionActivity per segment), limited to one database,
// and which of them fall in the search window.

#include "pg/wal_activity.hpp"
#include "restore/relation_created_late.hpp"

#include <cstdint>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <vector>

namespace lastgood::restore {

// One transaction over all segments it wrote in, limited to the database searched.
struct SearchedTransaction
{
  std::uint64_t first_lsn = UINT64_MAX;
  std::optional<std::uint64_t> end_lsn;
  std::optional<std::string> time;
  std::string kind;
  std::uint32_t timeline = 0;
  std::vector<std::uint32_t> subxacts;
  std::map<pg::RelFile, pg::RelationTouch> touches;
  std::set<pg::RelFile> created, dropped;
  std::set<pg::RelationOid> locked, dropped_stats, truncated;
  std::uint64_t full_page_images = 0;
};

// Whether the transaction did anything in `database` (every one when nullopt).
bool in_database(const pg::TransactionActivity& t, std::optional<std::uint32_t> database);
// Adds one segment's activity of the transaction (files of `database` only, when given).
void merge(SearchedTransaction& into, const pg::TransactionActivity& t,
           std::optional<std::uint32_t> database);
// Adds a subtransaction's work to the transaction that committed it.
void merge(SearchedTransaction& into, const SearchedTransaction& sub);
bool intersects(const std::set<pg::RelFile>& a, const std::set<pg::RelFile>& b);
// Committed between after and before (fixed-width RFC 3339 times; unbounded when nullopt).
bool in_window(const SearchedTransaction& t, const std::optional<std::string>& after,
               const std::optional<std::string>& before);
// Committed transactions in the window that changed or dropped relation files
// another transaction created, and committed, before them: tables created
// after the base backup the search started from, named in pg_class just before.
std::vector<EventWithUnknownFiles>
events_on_files_created_later(const std::map<std::uint32_t, SearchedTransaction>& transactions,
                              const std::optional<std::string>& after,
                              const std::optional<std::string>& before);

} // namespace lastgood::restore
