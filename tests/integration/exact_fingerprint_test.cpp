// A source fingerprint at an exact LSN (pg/exact_fingerprint.hpp) against real
// servers: with wal_level=logical it is read in a temporary logical slot's
// exported snapshot while a second session commits continuously, and leaves
// no slot behind; without it, the LSN is recorded as approximate and says
// why. (That recovery to the exact LSN reproduces the fingerprint is proven end
// to end by tests/scenarios/base_backup_fingerprint_at_lsn.scenario.)

#include "pg/exact_fingerprint.hpp"
#include "pg/pg_connection.hpp"
#include "pg/scratch_cluster.hpp"

#include <atomic>
#include <gtest/gtest.h>
#include <pqxx/pqxx>
#include <thread>

namespace lastgood::pg {
namespace {

void run_sql(const std::string& conninfo, const std::string& sql)
{
  auto conn = connect(conninfo);
  pqxx::nontransaction(*conn).exec(sql);
}

std::int64_t scalar(const std::string& conninfo, const std::string& sql)
{
  auto conn = connect(conninfo);
  return pqxx::nontransaction(*conn).exec1(sql)[0].as<std::int64_t>();
}

// One committed INSERT after another on its own connection until destroyed.
class SecondSession
{
public:
  explicit SecondSession(const std::string& conninfo)
      : m_thread([this, conninfo] {
          try {
            auto conn = connect(conninfo);
            while (!m_stop) {
              pqxx::work tx(*conn);
              tx.exec0("INSERT INTO ticks DEFAULT VALUES");
              tx.commit();
              ++m_commits;
            }
          } catch (const std::exception&) {
            m_failed = true;
          }
        })
  {
    wait_for(20);
  }
  // Until `n` commits in all (or the session failed).
  void wait_for(long n) const
  {
    while (m_commits < n && !m_failed)
      std::this_thread::yield();
  }
  bool failed() const { return m_failed; }
  ~SecondSession()
  {
    m_stop = true;
    m_thread.join();
  }
  long commits() const { return m_commits; }

private:
  std::atomic<bool> m_stop{false}, m_failed{false};
  std::atomic<long> m_commits{0};
  std::thread m_thread;
};

TEST(ExactFingerprint, ReadInATemporaryLogicalSlotsSnapshotWhileCommitsRace)
{
  auto cluster = ScratchCluster::start(
      {.settings = {"wal_level=logical", "max_wal_senders=4", "max_replication_slots=4"}});
  run_sql(cluster->conninfo(), "CREATE TABLE ticks (id bigserial PRIMARY KEY)");
  DatabaseFingerprint f;
  {
    SecondSession writer(cluster->conninfo());
    f = fingerprint_at_exact_lsn(cluster->conninfo(), FingerprintMode::Full);
    // Commits after the fingerprint returned lie after its snapshot.
    writer.wait_for(writer.commits() + 5);
    ASSERT_FALSE(writer.failed());
  }
  EXPECT_TRUE(f.exact_lsn) << f.lsn_note;
  EXPECT_TRUE(f.lsn_note.empty()) << f.lsn_note;
  EXPECT_EQ(f.database_name, "postgres");
  ASSERT_EQ(f.tables.size(), 1u);
  EXPECT_LT(f.tables[0].rows, scalar(cluster->conninfo(), "SELECT count(*) FROM ticks"));
  // Its LSN lies before the server's position now (rows were committed since).
  auto conn = connect(cluster->conninfo());
  pqxx::nontransaction tx(*conn);
  EXPECT_TRUE(
      tx.exec1("SELECT pg_current_wal_lsn() > " + tx.quote(f.wal_lsn) + "::pg_lsn")[0].as<bool>())
      << f.wal_lsn;
  // TEMPORARY: dropped when its replication connection's backend exits, so
  // nothing is left to hold WAL back.
  int slots = 1;
  for (int i = 0; i < 300 && slots; ++i) {
    slots = tx.exec1("SELECT count(*) FROM pg_replication_slots")[0].as<int>();
    if (slots) std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
  EXPECT_EQ(slots, 0);
}

TEST(ExactFingerprint, WithoutWalLevelLogicalTheLsnIsApproximateAndSaysWhy)
{
  auto cluster = ScratchCluster::start({.settings = {"wal_level=replica"}});
  run_sql(cluster->conninfo(), "CREATE TABLE ticks (id int); INSERT INTO ticks VALUES (1), (2)");
  const auto f = fingerprint_at_exact_lsn(cluster->conninfo(), FingerprintMode::Counts);
  EXPECT_FALSE(f.exact_lsn);
  EXPECT_FALSE(f.wal_lsn.empty());
  EXPECT_NE(f.lsn_note.find("wal_level is replica, not logical"), std::string::npos) << f.lsn_note;
  EXPECT_NE(f.lsn_note.find("not compared as proof"), std::string::npos) << f.lsn_note;
  ASSERT_EQ(f.tables.size(), 1u);
  EXPECT_EQ(f.tables[0].rows, 2);
}

} // namespace
} // namespace lastgood::pg
