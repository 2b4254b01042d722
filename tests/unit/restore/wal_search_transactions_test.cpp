// Which transactions in a search window touch relation files created after
// the base backup (by another transaction committed before them): the events
// before which that backup is recovered to name a table created after it.

#include "restore/wal_search_transactions.hpp"

#include <gtest/gtest.h>

namespace lastgood::restore {
namespace {

constexpr pg::RelFile kNew{1663, 16384, 16500};
constexpr pg::RelFile kOld{1663, 16384, 16400}; // existed at the backup

SearchedTransaction committed(std::uint64_t first_lsn, std::uint64_t commit_lsn, std::string time)
{
  SearchedTransaction t;
  t.first_lsn = first_lsn;
  t.end_lsn = commit_lsn;
  t.kind = "commit";
  t.time = std::move(time);
  return t;
}

void touch(SearchedTransaction& t, const pg::RelFile& f)
{
  t.touches[f] = {f, 1, 0, 0, 1};
}

TEST(EventsOnFilesCreatedLater, OnlyLaterCommittedTransactionsOnFilesAnotherOneCreated)
{
  std::map<std::uint32_t, SearchedTransaction> txs;
  auto create = committed(100, 150, "2026-11-22T02:00:00.000000Z");
  create.created.insert(kNew);
  touch(create, kNew); // filled in the creating transaction: not named before it
  txs[700] = create;
  auto early =
      committed(90, 300, "2026-11-22T02:00:05.000000Z"); // began before the create committed
  touch(early, kNew);
  txs[701] = early;
  auto fill = committed(200, 250, "2026-11-22T02:00:10.000000Z");
  touch(fill, kNew);
  touch(fill, kOld);
  txs[702] = fill;
  auto aborted = committed(260, 270, "2026-11-22T02:00:20.000000Z");
  aborted.kind = "abort";
  touch(aborted, kNew);
  txs[703] = aborted;
  auto drop = committed(400, 410, "2026-11-22T02:30:00.000000Z");
  drop.dropped.insert(kNew);
  txs[704] = drop;
  auto old_only = committed(500, 510, "2026-11-22T02:31:00.000000Z");
  touch(old_only, kOld);
  txs[705] = old_only;

  auto all = events_on_files_created_later(txs, std::nullopt, std::nullopt);
  ASSERT_EQ(all.size(), 2u);
  EXPECT_EQ(all[0].xid, 702u);
  EXPECT_EQ(all[0].first_lsn, 200u);
  EXPECT_EQ(all[0].files, std::set<pg::RelFile>{kNew}); // not the file the backup knew
  EXPECT_EQ(all[1].xid, 704u);
  EXPECT_EQ(all[1].files, std::set<pg::RelFile>{kNew});

  auto window = events_on_files_created_later(txs, std::string("2026-11-22T02:20:00.000000Z"),
                                              std::string("2026-11-22T02:45:00.000000Z"));
  ASSERT_EQ(window.size(), 1u);
  EXPECT_EQ(window[0].xid, 704u);
}

TEST(SearchedTransactions, MergeKeepsOnlyTheDatabaseSearchedUnlessNoneIsKnown)
{
  pg::TransactionActivity t;
  t.xid = 9;
  t.first_lsn = 42;
  t.touches = {{kNew, 3, 0, 0, 3}, {{1663, 5, 16500}, 1, 0, 0, 1}};
  t.created = {{1663, 5, 16501}};
  EXPECT_TRUE(in_database(t, 16384u));
  EXPECT_FALSE(in_database(t, 77u));
  EXPECT_TRUE(in_database(t, std::nullopt));
  SearchedTransaction ours, every;
  merge(ours, t, 16384u);
  merge(every, t, std::nullopt);
  EXPECT_EQ(ours.touches.size(), 1u);
  EXPECT_EQ(ours.touches[kNew].inserts, 3u);
  EXPECT_TRUE(ours.created.empty());
  EXPECT_EQ(every.touches.size(), 2u);
  EXPECT_EQ(every.created.size(), 1u);
  EXPECT_EQ(every.first_lsn, 42u);
}

} // namespace
} // namespace lastgood::restore
