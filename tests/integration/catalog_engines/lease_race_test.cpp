// Lease acquisition racing on a PostgreSQL catalog (issue 15): threads, each
// with its own connection, as verifier hosts would be, try the same backups
// at once. Acquisition there takes no fleet-wide lock (row locks, ON CONFLICT,
// a per-source advisory lock for capped restores), so these races are real:
// every backup must go to exactly one holder, an expired lease to exactly one
// taker-over, and a source's restore cap must never be exceeded.

#include "catalog/catalog.hpp"
#include "catalog/verification_leases.hpp"
#include "pg/pg_connection.hpp"
#include "pg/scratch_cluster.hpp"
#include "tests/support/run_command.hpp"
#include "tests/support/temp_dir.hpp"

#include <algorithm>
#include <atomic>
#include <filesystem>
#include <gtest/gtest.h>
#include <map>
#include <mutex>
#include <pqxx/pqxx>
#include <thread>
#include <vector>

namespace lastgood::catalog {
namespace {

namespace fs = std::filesystem;
using namespace std::chrono_literals;

constexpr int kWorkers = 6;
constexpr int kBackups = 60;

class LeaseRace : public ::testing::Test
{
protected:
  static void SetUpTestSuite()
  {
    s_home = new lastgood::testing::TempDir();
    fs::permissions(s_home->path(),
                    fs::perms::owner_all | fs::perms::group_exec | fs::perms::others_exec);
    s_server = pg::ScratchCluster::start({.base_dir = s_home->path().string()}).release();
  }
  static void TearDownTestSuite()
  {
    delete s_server;
    delete s_home;
  }
  void SetUp() override
  {
    if (lastgood::testing::artifacts_dir().empty())
      GTEST_SKIP() << "LASTGOOD_ARTIFACTS not set (run through ctest)";
    const std::string name = "race_" + std::to_string(++s_databases);
    auto conn = pg::connect(s_server->conninfo("postgres"));
    pqxx::nontransaction(*conn).exec("CREATE DATABASE " + name);
    m_uri = "postgresql://lastgood@/" + name + "?host=" + s_server->socket_dir() +
            "&port=" + std::to_string(s_server->port());
    auto catalog = Catalog::open(m_uri);
    auto& db = catalog->db();
    db.exec("INSERT INTO repositories (id, name, url, created_at) VALUES (1, 'main', '/r', 't')");
    for (int id = 1; id <= kBackups; ++id)
      db.exec("INSERT INTO backups (id, backup_id, repository_id, root_key, kind, format,"
              " first_seen, last_seen) VALUES (" +
              std::to_string(id) + ", 'b-" + std::to_string(id) + "', 1, 'b" + std::to_string(id) +
              ".dump', 'logical', 'custom', 't', 't')");
  }

  // A holder on another host: alive as far as this host can tell.
  static std::string holder(int worker) { return "worker" + std::to_string(worker) + ".test:1:1"; }

  // Every worker, on its own connection, tries every backup (each from a
  // different starting point); returns who acquired which backup.
  std::map<std::int64_t, std::vector<std::string>> race(const LeaseRequest& base)
  {
    std::mutex mutex;
    std::map<std::int64_t, std::vector<std::string>> winners;
    std::vector<std::string> errors;
    std::atomic<int> ready{0};
    std::vector<std::thread> workers;
    for (int w = 0; w < kWorkers; ++w)
      workers.emplace_back([&, w] {
        try {
          Database db(m_uri, false);
          ++ready;
          while (ready < kWorkers)
            std::this_thread::yield();
          for (int i = 0; i < kBackups; ++i) {
            auto request = base;
            request.backup_row_id = 1 + (i + w * 7) % kBackups;
            request.holder = holder(w);
            if (acquire_lease(db, request).acquired) {
              std::lock_guard lock(mutex);
              winners[request.backup_row_id].push_back(request.holder);
            }
          }
        } catch (const std::exception& e) {
          std::lock_guard lock(mutex);
          errors.push_back(e.what());
        }
      });
    for (auto& t : workers)
      t.join();
    EXPECT_TRUE(errors.empty()) << errors.front();
    return winners;
  }

  pqxx::result query(const std::string& sql)
  {
    auto conn = pg::connect(m_uri);
    return pqxx::nontransaction(*conn).exec(sql);
  }

  static lastgood::testing::TempDir* s_home;
  static pg::ScratchCluster* s_server;
  static int s_databases;
  std::string m_uri;
};

lastgood::testing::TempDir* LeaseRace::s_home = nullptr;
pg::ScratchCluster* LeaseRace::s_server = nullptr;
int LeaseRace::s_databases = 0;

TEST_F(LeaseRace, EveryBackupGoesToExactlyOneOfTheRacingWorkers)
{
  LeaseRequest request;
  request.expiry = 1h;
  request.source_key = "source a";
  const auto winners = race(request);
  ASSERT_EQ(winners.size(), static_cast<std::size_t>(kBackups)) << "a backup nobody acquired";
  for (const auto& [backup, holders] : winners) {
    ASSERT_EQ(holders.size(), 1u) << "backup " << backup << " acquired " << holders.size()
                                  << " times";
    EXPECT_EQ(query("SELECT holder FROM verification_leases WHERE backup_id = " +
                    std::to_string(backup))[0][0]
                  .as<std::string>(),
              holders.front());
  }
}

TEST_F(LeaseRace, AnExpiredLeaseIsTakenOverByExactlyOneWorker)
{
  LeaseRequest request;
  request.expiry = 1h;
  request.source_key = "source a";
  ASSERT_EQ(race(request).size(), static_cast<std::size_t>(kBackups));
  query("UPDATE verification_leases SET expires_at = '2000-01-01T00:00:00Z'");
  const auto before = query("SELECT backup_id, holder FROM verification_leases");
  ASSERT_EQ(before.size(), static_cast<std::size_t>(kBackups));

  const auto winners = race(request);
  ASSERT_EQ(winners.size(), static_cast<std::size_t>(kBackups));
  for (const auto& [backup, holders] : winners)
    ASSERT_EQ(holders.size(), 1u) << "expired lease of backup " << backup << " taken "
                                  << holders.size() << " times";
  EXPECT_EQ(
      query("SELECT count(*) FROM verification_leases WHERE expires_at < '2001'")[0][0].as<int>(),
      0);
}

TEST_F(LeaseRace, TheRestoreCapOfASourceHoldsUnderTheRace)
{
  LeaseRequest request;
  request.expiry = 1h;
  request.source_key = "source a";
  request.restores = true;
  request.max_concurrent_restores_per_source = 3;
  const auto winners = race(request);
  EXPECT_EQ(winners.size(), 3u) << "the cap is 3 live restore leases of the source";
  EXPECT_EQ(query("SELECT count(*) FROM verification_leases WHERE restores = 1")[0][0].as<int>(),
            3);
}

// Workers take and give back restore leases of one capped source over and
// over: at no moment may more than the cap hold one.
TEST_F(LeaseRace, TheRestoreCapHoldsWhileLeasesComeAndGo)
{
  constexpr unsigned kCap = 2;
  std::atomic<int> holding{0};
  std::atomic<int> most{0};
  std::atomic<int> taken{0};
  std::vector<std::string> errors;
  std::mutex mutex;
  std::vector<std::thread> workers;
  for (int w = 0; w < kWorkers; ++w)
    workers.emplace_back([&, w] {
      try {
        Database db(m_uri, false);
        for (int i = 0; i < kBackups; ++i) {
          LeaseRequest request;
          request.backup_row_id = 1 + (i + w * 11) % kBackups;
          request.holder = holder(w);
          request.expiry = 1h;
          request.source_key = "source a";
          request.restores = true;
          request.max_concurrent_restores_per_source = kCap;
          if (!acquire_lease(db, request).acquired) continue;
          const int now = ++holding;
          int seen = most.load();
          while (now > seen && !most.compare_exchange_weak(seen, now)) {
          }
          ++taken;
          --holding; // before the release: `holding` never counts a lease already given back
          release_lease(db, request.backup_row_id, request.holder);
        }
      } catch (const std::exception& e) {
        std::lock_guard lock(mutex);
        errors.push_back(e.what());
      }
    });
  for (auto& t : workers)
    t.join();
  ASSERT_TRUE(errors.empty()) << errors.front();
  EXPECT_LE(most.load(), static_cast<int>(kCap))
      << "more restore leases of the source than its cap";
  EXPECT_GT(taken.load(), 0);
  EXPECT_EQ(query("SELECT count(*) FROM verification_leases")[0][0].as<int>(), 0);
}

} // namespace
} // namespace lastgood::catalog
