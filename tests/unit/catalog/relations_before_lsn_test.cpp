// The relation files seen in a base backup recovered to just before a WAL
// record (migration 0019): kept per backup and database, first sighting
// kept, each point looked at recorded with its outcome.

#include "catalog/catalog.hpp"
#include "catalog/relations_before_lsn.hpp"
#include "tests/support/temp_dir.hpp"

#include <gtest/gtest.h>

namespace lastgood::catalog {
namespace {

class RelationsBeforeLsnTest : public ::testing::Test
{
protected:
  void SetUp() override
  {
    m_catalog = Catalog::open((m_home.path() / "c.db").string());
    db().exec(
        "INSERT INTO repositories (id, name, url, created_at) VALUES (1, 'main', '/r1', 't')");
    db().exec("INSERT INTO backups (id, backup_id, repository_id, root_key, kind, format,"
              " first_seen, last_seen) VALUES (7, 'b1', 1, 'base/b1', 'physical', 'base_plain',"
              " 't', 't')");
  }
  Database& db() { return m_catalog->db(); }
  static RelfilenodeName file(std::uint32_t relfilenode, std::string name,
                              std::uint64_t seen_before)
  {
    return {1663, relfilenode, 16384, relfilenode, "public", std::move(name), seen_before};
  }

  testing::TempDir m_home;
  std::unique_ptr<Catalog> m_catalog;
};

TEST_F(RelationsBeforeLsnTest, KeepsEachPointAndTheFirstSightingOfEachFile)
{
  EXPECT_FALSE(lsn_lookup_outcome(db(), 7, "shop", 0x3000028));
  store_lsn_lookup(db(), 7, "shop", 0x3000028, "read", {file(16400, "late", 0x3000028)});
  store_lsn_lookup(db(), 7, "shop", 0x3000100, "read",
                   {file(16400, "late", 0x3000100), file(16410, "later", 0x3000100)});
  store_lsn_lookup(db(), 7, "shop", 0x3000200, "not recovered: WAL ends before", {});

  EXPECT_EQ(lsn_lookup_outcome(db(), 7, "shop", 0x3000028), "read");
  EXPECT_EQ(lsn_lookup_outcome(db(), 7, "shop", 0x3000200), "not recovered: WAL ends before");
  EXPECT_FALSE(lsn_lookup_outcome(db(), 7, "other", 0x3000028));

  auto late = cached_relation_by_name(db(), 7, "shop", "public", "late");
  ASSERT_TRUE(late);
  EXPECT_EQ(late->relfilenode, 16400u);
  EXPECT_EQ(late->seen_before_lsn, 0x3000028u); // the first sighting
  auto by_file = cached_relfilenode_name(db(), 7, "shop", 1663, 16410);
  ASSERT_TRUE(by_file);
  EXPECT_EQ(by_file->name, "later");
  EXPECT_EQ(by_file->database_oid, 16384u);
  EXPECT_FALSE(cached_relfilenode_name(db(), 7, "shop", 1664, 16410)); // other tablespace
  EXPECT_FALSE(cached_relation_by_name(db(), 7, "shop", "private", "late"));
  EXPECT_FALSE(cached_relation_by_name(db(), 7, "other", "public", "late"));
}

} // namespace
} // namespace lastgood::catalog
