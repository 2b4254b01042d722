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

} // namespace
} // namespace lastgood::catalog
