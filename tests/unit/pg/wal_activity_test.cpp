// Parsing full pg_waldump output into per-transaction activity (lines as
// PostgreSQL 15 printed them with TZ=UTC for CREATE+INSERT, UPDATE, DELETE,
// TRUNCATE and DROP TABLE of one table).

#include "pg/wal_activity.hpp"

#include <gtest/gtest.h>

namespace lastgood::pg {
namespace {

const char* const kOutput =
    "rmgr: Standby     len (rec/tot):     42/    42, tx:        724, lsn: 0/02000048, prev "
    "0/02000028, desc: LOCK xid 724 db 5 rel 16384 \n"
    "rmgr: Storage     len (rec/tot):     42/    42, tx:        724, lsn: 0/02000078, prev "
    "0/02000048, desc: CREATE base/5/16384\n"
    "rmgr: Heap        len (rec/tot):     61/    61, tx:        724, lsn: 0/02024050, prev "
    "0/02023F78, desc: INSERT+INIT off 1 flags 0x00, blkref #0: rel 1663/5/16384 blk 0\n"
    "rmgr: Btree       len (rec/tot):     64/    64, tx:        724, lsn: 0/020240F0, prev "
    "0/02024090, desc: INSERT_LEAF off 1, blkref #0: rel 1663/5/16389 blk 1\n"
    "rmgr: Heap        len (rec/tot):     61/    61, tx:        724, lsn: 0/02024130, prev "
    "0/020240F0, desc: INSERT off 2 flags 0x00, blkref #0: rel 1663/5/16384 blk 0\n"
    "rmgr: Heap        len (rec/tot):     61/    61, tx:        724, lsn: 0/02024140, prev "
    "0/02024130, desc: INSERT off 1 flags 0x00, blkref #0: rel 1663/5/2619 blk 0\n"
    "rmgr: Transaction len (rec/tot):   1333/  1333, tx:        724, lsn: 0/02024330, prev "
    "0/020242F0, desc: COMMIT 2026-11-26 09:41:23.145174 UTC; inval msgs: catcache 80\n"
    "rmgr: Heap        len (rec/tot):     69/    69, tx:        726, lsn: 0/02024890, prev "
    "0/02024868, desc: HOT_UPDATE off 1 xmax 726 flags 0x20 ; new off 6 xmax 0, blkref #0: rel "
    "1663/5/16384 blk 0\n"
    "rmgr: Heap2       len (rec/tot):     69/    69, tx:        726, lsn: 0/020248A0, prev "
    "0/02024890, desc: MULTI_INSERT+INIT 3 tuples flags 0x02, blkref #0: rel 1663/5/16384 blk 1\n"
    "rmgr: Transaction len (rec/tot):     34/    34, tx:        726, lsn: 0/02024920, prev "
    "0/020248D8, desc: COMMIT 2026-11-26 09:41:23.186222 UTC; subxacts: 731 732\n"
    "rmgr: Heap        len (rec/tot):     54/    54, tx:        727, lsn: 0/02024948, prev "
    "0/02024920, desc: DELETE off 4 flags 0x00 KEYS_UPDATED , blkref #0: rel 1663/5/16384 blk 0\n"
    "rmgr: XLOG        len (rec/tot):     49/   137, tx:        728, lsn: 0/02024EB8, prev "
    "0/02024E78, desc: FPI , blkref #0: rel 1663/5/16393 blk 0 FPW\n"
    "rmgr: Transaction len (rec/tot):   1245/  1245, tx:        730, lsn: 0/02025CC0, prev "
    "0/02025C88, desc: COMMIT 2026-11-26 09:41:23.314504 UTC; rels: base/5/16391 base/5/16392; "
    "dropped stats: 2/5/16389 2/5/16384; inval msgs: catcache 32\n"
    "rmgr: Transaction len (rec/tot):     34/    34, tx:        733, lsn: 0/03000010, prev "
    "0/02025CC0, desc: COMMIT 2026-11-26 09:41:24 UTC\n"
    "pg_waldump: error: error in WAL record at 0/2025CC0: invalid record length at 0/20261B8\n";

TEST(WalActivity, TransactionsWithTheirRowsLocksFilesAndEnds)
{
  auto a = parse_wal_activity(kOutput, 0x03000000);
  EXPECT_EQ(a.records, 13u) << "the record at 0/03000010 belongs to the next segment";
  ASSERT_EQ(a.transactions.size(), 5u);
  const auto& create = a.transactions[0];
  EXPECT_EQ(create.xid, 724u);
  EXPECT_EQ(create.first_lsn, 0x02000048u);
  EXPECT_EQ(create.end_lsn, 0x02024330u);
  EXPECT_EQ(create.end_kind, "commit");
  EXPECT_EQ(create.end_time, "2026-11-26T09:41:23.145174Z");
  ASSERT_EQ(create.locked.size(), 1u);
  EXPECT_EQ(create.locked[0], (RelationOid{5, 16384}));
  ASSERT_EQ(create.created.size(), 1u);
  EXPECT_EQ(create.created[0], (RelFile{1663, 5, 16384}));
  ASSERT_EQ(create.touches.size(), 1u) << "index and system catalog records are not touches";
  EXPECT_EQ(create.touches[0].inserts, 2u);

  const auto& update = a.transactions[1];
  ASSERT_EQ(update.touches.size(), 1u);
  EXPECT_EQ(update.touches[0].updates, 1u);
  EXPECT_EQ(update.touches[0].inserts, 3u);
  EXPECT_EQ(update.subxacts, (std::vector<std::uint32_t>{731, 732}));

  const auto& del = a.transactions[2];
  EXPECT_EQ(del.touches[0].deletes, 1u);
  EXPECT_FALSE(del.end_lsn) << "its commit is in another segment";

  EXPECT_EQ(a.transactions[3].full_page_images, 1u);

  const auto& drop = a.transactions[4];
  EXPECT_EQ(drop.xid, 730u);
  ASSERT_EQ(drop.dropped.size(), 2u);
  EXPECT_EQ(drop.dropped[1], (RelFile{1663, 5, 16392}));
  ASSERT_EQ(drop.dropped_stats.size(), 2u);
  EXPECT_EQ(drop.dropped_stats[1], (RelationOid{5, 16384}));
}

TEST(WalActivity, JsonRoundTrip)
{
  auto a = parse_wal_activity(kOutput, 0x04000000);
  auto b = wal_activity_from_json(to_json(a));
  EXPECT_EQ(to_json(b), to_json(a));
  EXPECT_EQ(b.transactions.back().end_time, "2026-11-26T09:41:24.000000Z");
  EXPECT_THROW(wal_activity_from_json(nlohmann::json::object()), std::exception);
}

} // namespace
} // namespace lastgood::pg
