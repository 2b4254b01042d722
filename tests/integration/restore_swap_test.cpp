// restore --drop-existing against a real target server: a failing check keeps
// the existing database untouched, passing checks swap it aside (after a
// cataloged safety snapshot), connected sessions are refused or terminated,
// --rollback swaps back, and --cleanup repairs what a crashed restore left.

#include "catalog/backup_queries.hpp"
#include "catalog/catalog.hpp"
#include "catalog/repositories.hpp"
#include "catalog/scanner.hpp"
#include "catalog/verification_runs.hpp"
#include "common/redact.hpp"
#include "pg/pg_connection.hpp"
#include "pg/scratch_cluster.hpp"
#include "restore/restore_runs.hpp"
#include "storage/storage.hpp"
#include "tests/support/run_command.hpp"
#include "tests/support/temp_dir.hpp"

#include <filesystem>
#include <gtest/gtest.h>
#include <map>
#include <nlohmann/json.hpp>
#include <pqxx/pqxx>
#include <unistd.h>

namespace lastgood {
namespace {

namespace fs = std::filesystem;
using nlohmann::json;
using testing::TempDir;

class RestoreSwapTest : public ::testing::Test
{
protected:
  void SetUp() override
  {
    if (testing::artifacts_dir().empty())
      GTEST_SKIP() << "LASTGOOD_ARTIFACTS not set (run through ctest)";
    m_expected = json::parse(testing::read_file(testing::artifacts_dir() / "expected.json"));
    fs::permissions(m_repo.path(), fs::perms::all);
    m_catalog = catalog::Catalog::open(catalog_path());
    auto repository = catalog::add_repository(m_catalog->db(), "repo", m_repo.path().string());
    m_repo.write("shop.dump",
                 testing::read_file(testing::artifacts_dir() / "repo/dumps/shop.dump"));
    auto storage = storage::open_storage(m_repo.path().string());
    catalog::scan_repository(m_catalog->db(), repository, *storage, {});
    m_target = pg::ScratchCluster::start({});
    m_to = m_target->conninfo("postgres") + " password=hunter2";
    m_shop_id = catalog::list_backups(m_catalog->db(), {}).at(0).backup_id;
  }
  std::string catalog_path() const { return (m_home.path() / "catalog.db").string(); }
  testing::CommandResult lastgood(const std::string& args)
  {
    auto r =
        testing::run_lastgood("--catalog " + testing::shell_quote(catalog_path()) + " " + args);
    EXPECT_EQ(r.out.find("hunter2"), std::string::npos) << "the password reached stdout";
    EXPECT_EQ(r.err.find("hunter2"), std::string::npos) << "the password reached stderr";
    return r;
  }
  std::string to() const { return " --to " + testing::shell_quote(m_to); }
  void exec(const std::string& database, const std::string& sql)
  {
    auto conn = pg::connect(m_target->conninfo(database));
    pqxx::nontransaction(*conn).exec(sql);
  }
  // The database the application uses: one marker row, no shop tables.
  void create_existing_shop()
  {
    exec("postgres", "CREATE DATABASE shop");
    exec("shop", "CREATE TABLE marker (note text); INSERT INTO marker VALUES ('old data')");
  }
  std::string marker(const std::string& database)
  {
    auto conn = pg::connect(m_target->conninfo(database));
    pqxx::nontransaction tx(*conn);
    if (tx.exec("SELECT 1 FROM pg_tables WHERE tablename = 'marker'").empty()) return "";
    return tx.exec1("SELECT note FROM marker")[0].as<std::string>();
  }
  // Asked on a fresh connection: querying the terminated one itself would
  // throw broken_connection, but libpqxx 6.4 leaks that query's PGresult.
  bool session_alive(int backend_pid)
  {
    auto conn = pg::connect(m_target->conninfo("postgres"));
    return pqxx::nontransaction(*conn)
               .exec1("SELECT count(*) FROM pg_stat_activity WHERE pid = " + std::to_string(backend_pid))[0]
               .as<int>() == 1;
  }
  std::int64_t orders(const std::string& database)
  {
    auto conn = pg::connect(m_target->conninfo(database));
    return pqxx::nontransaction(*conn).exec1("SELECT count(*) FROM orders")[0].as<std::int64_t>();
  }
  std::vector<std::string> databases()
  {
    auto conn = pg::connect(m_target->conninfo("postgres"));
    pqxx::nontransaction tx(*conn);
    std::vector<std::string> out;
    for (auto row :
         tx.exec("SELECT datname FROM pg_database WHERE datname NOT IN ('postgres', 'template0',"
                 " 'template1') ORDER BY 1"))
      out.push_back(row[0].as<std::string>());
    return out;
  }
  std::vector<restore::RestoreRunRecord> runs()
  {
    auto db = catalog::Catalog::open(catalog_path());
    return restore::list_restore_runs(db->db());
  }
  std::string audit_text()
  {
    auto db = catalog::Catalog::open(catalog_path());
    auto s =
        db->db().prepare("SELECT action || ' ' || coalesce(detail, '') FROM audit_log ORDER BY id");
    std::string out;
    while (s.step())
      out += s.text(0) + "\n";
    return out;
  }
  std::int64_t expected_orders() const
  {
    return m_expected["row_counts"]["shop"]["orders"].get<std::int64_t>();
  }

  json m_expected;
  TempDir m_home, m_repo;
  std::unique_ptr<catalog::Catalog> m_catalog;
  std::unique_ptr<pg::ScratchCluster> m_target;
  std::string m_to, m_shop_id;
};

TEST_F(RestoreSwapTest, AFailingCheckKeepsTheExistingDatabaseUntouched)
{
  create_existing_shop();
  auto config =
      m_home.write("config.toml", "[[verify.check]]\ndatabase = \"shop\"\nname = \"never\"\n"
                                  "sql = \"SELECT count(*) < 0 FROM orders\"\n");
  auto r = lastgood("--config " + testing::shell_quote(config.string()) + " restore " + m_shop_id +
                    " --drop-existing" + to());
  EXPECT_EQ(r.exit_code, 1) << r.out << r.err;
  EXPECT_NE(r.out.find("check_failed"), std::string::npos) << r.out;
  EXPECT_EQ(databases(), std::vector<std::string>{"shop"}) << "temporary database left behind";
  EXPECT_EQ(marker("shop"), "old data");
  auto all = runs();
  ASSERT_EQ(all.size(), 1u);
  EXPECT_EQ(all[0].outcome, "fail");
  EXPECT_TRUE(all[0].drop_existing);
  EXPECT_FALSE(all[0].swapped_at);
  EXPECT_FALSE(all[0].aside_database);
  EXPECT_EQ(audit_text().find("restore.swap"), std::string::npos);
  // No safety snapshot either: it is taken only once the checks passed.
  EXPECT_EQ(catalog::list_backups(m_catalog->db(), {}).size(), 1u);
}

TEST_F(RestoreSwapTest, PassingChecksSwapAfterASafetySnapshotAndRollbackSwapsBack)
{
  create_existing_shop();
  auto r = lastgood("restore " + m_shop_id + " --drop-existing --json" + to());
  ASSERT_EQ(r.exit_code, 0) << r.out << r.err;
  auto doc = json::parse(r.out);
  const auto run = doc["result"]["run"].get<std::int64_t>();
  const auto aside = "shop__lastgood_old_" + std::to_string(run);
  EXPECT_EQ(doc["result"]["aside_database"], aside);
  EXPECT_EQ(databases(), (std::vector<std::string>{"shop", aside}));
  EXPECT_EQ(orders("shop"), expected_orders());
  EXPECT_EQ(marker("shop"), "");
  EXPECT_EQ(marker(aside), "old data");

  // The snapshot is a cataloged backup of the old database, in the same repository.
  const auto snapshot = doc["result"]["safety_snapshot"].get<std::string>();
  auto snap = catalog::find_backup(m_catalog->db(), snapshot);
  ASSERT_TRUE(snap);
  EXPECT_EQ(snap->database.value_or(""), "shop");
  EXPECT_EQ(snap->repository, "repo");
  EXPECT_EQ(snap->label.value_or(""), "safety snapshot before restore run " + std::to_string(run));
  EXPECT_TRUE(fs::exists(m_repo.path() / snap->root_key)) << snap->root_key;

  auto record = restore::find_restore_run(m_catalog->db(), run);
  ASSERT_TRUE(record);
  EXPECT_EQ(record->outcome, "pass");
  EXPECT_TRUE(record->swapped_at);
  EXPECT_EQ(record->aside_database.value_or(""), aside);
  EXPECT_EQ(record->safety_snapshot.value_or(""), snapshot);
  auto audit = audit_text();
  EXPECT_LT(audit.find("restore.safety_snapshot"), audit.find("restore.swap")) << audit;
  EXPECT_LT(audit.find("restore.swap"), audit.find("restore.finished")) << audit;

  // Rollback: refused while the application is connected to the restored database...
  auto app = pg::connect(m_target->conninfo("shop") + " application_name=shop-web");
  auto busy = lastgood("restore --rollback " + std::to_string(run) + to());
  EXPECT_EQ(busy.exit_code, 2) << busy.out << busy.err;
  EXPECT_NE(busy.err.find("shop-web"), std::string::npos) << busy.err;
  EXPECT_EQ(orders("shop"), expected_orders());
  // ...then the old data has the name again, the restored one is kept.
  auto back =
      lastgood("restore --rollback " + std::to_string(run) + " --terminate-connections" + to());
  ASSERT_EQ(back.exit_code, 0) << back.out << back.err;
  const auto rolled = "shop__lastgood_rolledback_" + std::to_string(run);
  EXPECT_NE(back.out.find("DROP DATABASE \"" + rolled + "\";"), std::string::npos) << back.out;
  EXPECT_EQ(databases(), (std::vector<std::string>{"shop", rolled}));
  EXPECT_EQ(marker("shop"), "old data");
  EXPECT_EQ(orders(rolled), expected_orders());
  record = restore::find_restore_run(m_catalog->db(), run);
  EXPECT_TRUE(record->rolled_back_at);
  EXPECT_EQ(record->rolled_back_database.value_or(""), rolled);
  EXPECT_NE(audit_text().find("restore.rollback"), std::string::npos);
  EXPECT_FALSE(session_alive(app->backendpid())) << "the session was terminated";
  EXPECT_EQ(orders(rolled), expected_orders())
      << "connections are allowed again after the swap back";

  auto again = lastgood("restore --rollback " + std::to_string(run) + to());
  EXPECT_EQ(again.exit_code, 2) << again.out << again.err;
  EXPECT_NE(again.err.find("rolled back already"), std::string::npos) << again.err;
  EXPECT_EQ(databases(), (std::vector<std::string>{"shop", rolled}));
}

TEST_F(RestoreSwapTest, RollbackRefusesRunsThatDidNotSwapOrWhoseAsideIsGone)
{
  auto plain = lastgood("restore " + m_shop_id + " --as fresh --json" + to());
  ASSERT_EQ(plain.exit_code, 0) << plain.out << plain.err;
  const auto fresh_run = json::parse(plain.out)["result"]["run"].get<std::int64_t>();
  auto r = lastgood("restore --rollback " + std::to_string(fresh_run) + to());
  EXPECT_EQ(r.exit_code, 2) << r.err;
  EXPECT_NE(r.err.find("did not swap"), std::string::npos) << r.err;

  create_existing_shop();
  auto swap =
      lastgood("restore " + m_shop_id + " --drop-existing --no-safety-snapshot --json" + to());
  ASSERT_EQ(swap.exit_code, 0) << swap.out << swap.err;
  const auto run = json::parse(swap.out)["result"]["run"].get<std::int64_t>();
  EXPECT_TRUE(json::parse(swap.out)["result"]["safety_snapshot"].is_null());
  EXPECT_NE(audit_text().find("\"skipped\":true"), std::string::npos) << audit_text();
  exec("postgres", "DROP DATABASE shop__lastgood_old_" + std::to_string(run));
  auto gone = lastgood("restore --rollback " + std::to_string(run) + to());
  EXPECT_EQ(gone.exit_code, 2) << gone.err;
  EXPECT_NE(gone.err.find("no longer exists"), std::string::npos) << gone.err;
  EXPECT_EQ(orders("shop"), expected_orders()) << "a refused rollback changes nothing";
  auto elsewhere =
      lastgood("restore --rollback " + std::to_string(run) + " --to 'host=/elsewhere'");
  EXPECT_EQ(elsewhere.exit_code, 2) << elsewhere.err;
}

TEST_F(RestoreSwapTest, ConnectedSessionsAreRefusedOrTerminated)
{
  create_existing_shop();
  auto app = pg::connect(m_target->conninfo("shop") + " application_name=shop-web");
  auto refused = lastgood("restore " + m_shop_id + " --drop-existing --no-safety-snapshot" + to());
  EXPECT_EQ(refused.exit_code, 2) << refused.out << refused.err;
  EXPECT_NE(refused.err.find("1 session"), std::string::npos) << refused.err;
  EXPECT_NE(refused.err.find("shop-web"), std::string::npos) << refused.err;
  EXPECT_NE(refused.err.find("--terminate-connections"), std::string::npos) << refused.err;
  EXPECT_EQ(databases(), std::vector<std::string>{"shop"});
  EXPECT_EQ(marker("shop"), "old data");
  EXPECT_NO_THROW(pqxx::nontransaction(*app).exec("SELECT 1")) << "the session was left alone";

  auto dry = lastgood("restore " + m_shop_id + " --drop-existing --dry-run" + to());
  EXPECT_EQ(dry.exit_code, 2) << dry.out << dry.err;
  EXPECT_NE(dry.out.find("shop-web"), std::string::npos) << dry.out;

  auto r =
      lastgood("restore " + m_shop_id + " --drop-existing --terminate-connections --json" + to());
  ASSERT_EQ(r.exit_code, 0) << r.out << r.err;
  auto doc = json::parse(r.out);
  EXPECT_EQ(doc["result"]["terminated_sessions"], 1);
  EXPECT_FALSE(session_alive(app->backendpid())) << "the session was terminated";
  const auto aside = doc["result"]["aside_database"].get<std::string>();
  EXPECT_EQ(marker(aside), "old data") << "the aside database accepts connections again";
  EXPECT_EQ(orders("shop"), expected_orders());
  const auto audit = audit_text();
  EXPECT_NE(audit.find("restore.terminate_sessions"), std::string::npos) << audit;
  EXPECT_NE(audit.find("shop-web"), std::string::npos) << audit;
  EXPECT_LT(audit.find("restore.terminate_sessions"), audit.find("restore.swap")) << audit;
}

TEST_F(RestoreSwapTest, DryRunShowsTheSwapAndSizes)
{
  create_existing_shop();
  auto r = lastgood("restore " + m_shop_id + " --drop-existing --dry-run" + to());
  ASSERT_EQ(r.exit_code, 0) << r.out << r.err;
  EXPECT_NE(r.out.find("shop__lastgood_old_<run>"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("safety snapshot"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("existing shop"), std::string::npos) << r.out;
  auto j = lastgood("restore " + m_shop_id + " --drop-existing --dry-run --json" + to());
  ASSERT_EQ(j.exit_code, 0) << j.out << j.err;
  auto sizes = json::parse(j.out)["plan"]["sizes"];
  EXPECT_GT(sizes["backup_bytes"].get<std::int64_t>(), 0);
  EXPECT_GT(sizes["existing_database_bytes"].get<std::int64_t>(), 0);
  EXPECT_TRUE(runs().empty());
  EXPECT_EQ(databases(), std::vector<std::string>{"shop"});
  auto without = lastgood("restore " + m_shop_id + " --dry-run" + to());
  EXPECT_EQ(without.exit_code, 2) << without.out;
  EXPECT_NE(without.out.find("--drop-existing"), std::string::npos) << without.out;
}

TEST_F(RestoreSwapTest, CleanupClosesACrashedRunAndDropsItsTemporaryDatabase)
{
  // A pid that has surely exited: a child that already ended.
  auto dead = testing::run_shell("sh -c 'echo $$'");
  const std::int64_t pid = std::stoll(dead.out);
  auto insert = [&](const std::string& target_database) {
    auto row = catalog::find_backup(m_catalog->db(), m_shop_id);
    m_catalog->db()
        .prepare("INSERT INTO restore_runs (backup_id, target, target_database, options,"
                 " started_at, host, pid, tool_version) VALUES (?, ?, ?, '{}', "
                 "'2026-11-22T02:00:00Z', ?, ?, 'test')")
        .bind_all(row->id, redact(m_to), target_database, catalog::this_host(), pid)
        .run();
    return m_catalog->db().last_insert_id();
  };
  // Died while restoring: its temporary database is left.
  const auto crashed = insert("shop_copy");
  const auto temp = "shop_copy__lastgood_" + std::to_string(crashed);
  restore::set_temporary_database(m_catalog->db(), crashed, temp);
  exec("postgres", "CREATE DATABASE " + temp);
  // Died halfway through a swap: the old database renamed aside, nothing named shop.
  const auto halfway = insert("shop");
  const auto aside = "shop__lastgood_old_" + std::to_string(halfway);
  restore::set_temporary_database(m_catalog->db(), halfway,
                                  "shop__lastgood_" + std::to_string(halfway));
  restore::set_aside_database(m_catalog->db(), halfway, aside);
  exec("postgres", "CREATE DATABASE " + aside);
  exec(aside, "CREATE TABLE marker (note text); INSERT INTO marker VALUES ('old data')");
  // Another process's live run is left alone.
  const auto live = insert("other");
  m_catalog->db()
      .prepare("UPDATE restore_runs SET pid = ? WHERE id = ?")
      .bind_all(static_cast<std::int64_t>(::getpid()), live)
      .run();

  auto r = lastgood("restore --cleanup" + to());
  ASSERT_EQ(r.exit_code, 0) << r.out << r.err;
  EXPECT_EQ(databases(), std::vector<std::string>{"shop"}) << r.out;
  EXPECT_EQ(marker("shop"), "old data");
  auto record = restore::find_restore_run(m_catalog->db(), crashed);
  EXPECT_EQ(record->outcome, "error");
  EXPECT_NE(record->message.value_or("").find("interrupted"), std::string::npos);
  EXPECT_NE(record->message.value_or("").find(temp), std::string::npos);
  EXPECT_EQ(restore::find_restore_run(m_catalog->db(), halfway)->outcome, "error");
  EXPECT_EQ(restore::find_restore_run(m_catalog->db(), live)->outcome, "running");
  const auto audit = audit_text();
  EXPECT_NE(audit.find("restore.cleanup"), std::string::npos) << audit;
  auto nothing = lastgood("restore --cleanup" + to());
  EXPECT_EQ(nothing.exit_code, 0);
  EXPECT_NE(nothing.out.find("no interrupted"), std::string::npos) << nothing.out;
}

} // namespace
} // namespace lastgood
