// Leases: a live holder keeps the backup, a dead process on this host loses
// it at once, a holder on another host keeps it until it expires.

#include "catalog/catalog.hpp"
#include "catalog/verification_leases.hpp"
#include "catalog/verification_runs.hpp"
#include "tests/support/temp_dir.hpp"

#include <gtest/gtest.h>
#include <sys/wait.h>
#include <unistd.h>

namespace lastgood::catalog {
namespace {

using namespace std::chrono_literals;

class LeaseTest : public ::testing::Test
{
protected:
  void SetUp() override
  {
    m_catalog = Catalog::open((m_home.path() / "c.db").string());
    db().exec(
        "INSERT INTO repositories (id, name, url, created_at) VALUES (1, 'main', '/r1', 't')");
    db().exec("INSERT INTO backups (id, backup_id, repository_id, root_key, kind, format, "
              "first_seen, last_seen)"
              " VALUES (1, 'shop-1', 1, 'shop.dump', 'logical', 'custom', 't', 't')");
  }
  Database& db() { return m_catalog->db(); }
  // A pid that existed and is gone now.
  static pid_t dead_pid()
  {
    pid_t child = ::fork();
    if (child == 0) ::_exit(0);
    ::waitpid(child, nullptr, 0);
    return child;
  }

  testing::TempDir m_home;
  std::unique_ptr<Catalog> m_catalog;
};

TEST_F(LeaseTest, ALiveHolderKeepsItsLease)
{
  const auto parent = this_host() + ":" + std::to_string(::getppid()); // alive: it runs us
  ASSERT_TRUE(acquire_lease(db(), 1, parent, 12h).acquired);
  auto attempt = acquire_lease(db(), 1, this_process(), 12h);
  EXPECT_FALSE(attempt.acquired);
  EXPECT_EQ(attempt.held_by, parent);
  EXPECT_FALSE(attempt.expires_at.empty());
}

TEST_F(LeaseTest, ADeadProcessOnThisHostLosesItsLeaseAtOnce)
{
  const auto dead = this_host() + ":" + std::to_string(dead_pid());
  ASSERT_TRUE(acquire_lease(db(), 1, dead, 12h).acquired);
  auto attempt = acquire_lease(db(), 1, this_process(), 12h);
  EXPECT_TRUE(attempt.acquired);
  EXPECT_EQ(attempt.taken_from.value_or(""), dead);
}

TEST_F(LeaseTest, AHolderOnAnotherHostKeepsItsLeaseUntilItExpires)
{
  const auto elsewhere = "another-host-" + this_host() + ":" + std::to_string(dead_pid());
  ASSERT_TRUE(acquire_lease(db(), 1, elsewhere, 12h).acquired);
  EXPECT_FALSE(acquire_lease(db(), 1, this_process(), 12h).acquired)
      << "we cannot see its processes";
  db().exec("UPDATE verification_leases SET expires_at = '2000-01-01T00:00:00Z'");
  auto attempt = acquire_lease(db(), 1, this_process(), 12h);
  EXPECT_TRUE(attempt.acquired);
  EXPECT_FALSE(attempt.taken_from) << "expired, not taken over";
}

TEST_F(LeaseTest, ARunOfADeadProcessIsClosedAsError)
{
  auto run = begin_run(db(), 1, "restore", "manual", std::nullopt);
  db().prepare("UPDATE verification_runs SET pid = ? WHERE id = ?").bind_all(dead_pid(), run).run();
  auto reaped = reap_interrupted_runs(db());
  ASSERT_EQ(reaped.size(), 1u);
  EXPECT_EQ(find_run(db(), run)->outcome, "error");
  EXPECT_TRUE(reap_interrupted_runs(db()).empty());
}

TEST_F(LeaseTest, AHolderIsNamedWithItsStartTimeSoAReusedPidIsNotItsHolder)
{
  const auto me = this_process();
  EXPECT_EQ(me.rfind(this_host() + ":" + std::to_string(::getpid()) + ":", 0), 0u) << me;
  EXPECT_FALSE(holder_is_dead(me));
  const auto parent = this_host() + ":" + std::to_string(::getppid());
  const auto start = process_start_time(::getppid());
  ASSERT_TRUE(start);
  EXPECT_FALSE(holder_is_dead(parent + ":" + std::to_string(*start)));
  EXPECT_TRUE(holder_is_dead(parent + ":" + std::to_string(*start + 1)))
      << "the pid is alive, but it is another process than the holder";
}

TEST_F(LeaseTest, AnExpiredLeaseIsTakenOverAndItsRunClosedAsError)
{
  const auto elsewhere = "another-host-" + this_host() + ":4242:1";
  ASSERT_TRUE(acquire_lease(db(), 1, elsewhere, 12h).acquired);
  auto run = begin_run(db(), 1, "restore", "due", std::nullopt);
  attach_run_to_lease(db(), 1, elsewhere, run);
  db().exec("UPDATE verification_leases SET expires_at = '2000-01-01T00:00:00Z'");
  auto attempt = acquire_lease(db(), 1, this_process(), 12h);
  ASSERT_TRUE(attempt.acquired);
  EXPECT_EQ(attempt.expired_holder.value_or(""), elsewhere);
  EXPECT_EQ(attempt.taken_run.value_or(0), run);
  EXPECT_FALSE(renew_lease(db(), 1, elsewhere, 12h)) << "the former holder learns it lost it";
  EXPECT_TRUE(renew_lease(db(), 1, this_process(), 12h));
  EXPECT_TRUE(close_run_of_expired_lease(db(), run, elsewhere));
  EXPECT_EQ(find_run(db(), run)->outcome, "error");
  finish_run(db(), run, "pass", 1.0, {}, {});
  EXPECT_EQ(find_run(db(), run)->outcome, "error") << "a closed run is never reopened";
  EXPECT_FALSE(close_run_of_expired_lease(db(), run, elsewhere));
}

TEST_F(LeaseTest, TheCapCountsLiveRestoreLeasesOfTheSameSourceOnly)
{
  for (int id = 2; id <= 4; ++id)
    db().prepare("INSERT INTO backups (id, backup_id, repository_id, root_key, kind, format,"
                 " first_seen, last_seen) VALUES (?, ?, 1, ?, 'logical', 'custom', 't', 't')")
        .bind_all(id, "shop-" + std::to_string(id), "shop-" + std::to_string(id) + ".dump")
        .run();
  const auto other = "another-host-" + this_host() + ":4242:1";
  auto request = [&](std::int64_t backup, const std::string& source, bool restores,
                     const std::string& holder) {
    LeaseRequest r;
    r.backup_row_id = backup;
    r.holder = holder;
    r.expiry = 12h;
    r.source_key = source;
    r.restores = restores;
    r.max_concurrent_restores_per_source = 1;
    return r;
  };
  ASSERT_TRUE(acquire_lease(db(), request(1, "source a", true, other)).acquired);
  auto capped = acquire_lease(db(), request(2, "source a", true, this_process()));
  EXPECT_FALSE(capped.acquired);
  EXPECT_TRUE(capped.capped);
  EXPECT_TRUE(acquire_lease(db(), request(3, "source b", true, this_process())).acquired)
      << "another source has its own cap";
  EXPECT_TRUE(acquire_lease(db(), request(4, "source a", false, this_process())).acquired)
      << "a checksum run is no test restore";
  release_lease(db(), 1, other);
  EXPECT_TRUE(acquire_lease(db(), request(2, "source a", true, this_process())).acquired);
}

} // namespace
} // namespace lastgood::catalog
