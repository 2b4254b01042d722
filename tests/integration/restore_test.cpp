// Logical restore against real dumps and a real target server: a new database
// with exactly the backup's rows, selective restores, refusal to overwrite,
// failing checks leave nothing behind, --last-good, --dry-run, no secrets.

#include "catalog/backup_queries.hpp"
#include "catalog/catalog.hpp"
#include "catalog/repositories.hpp"
#include "catalog/scanner.hpp"
#include "pg/pg_connection.hpp"
#include "pg/scratch_cluster.hpp"
#include "restore/restore_runs.hpp"
#include "storage/storage.hpp"
#include "tests/support/run_command.hpp"
#include "tests/support/temp_dir.hpp"
#include "verifier/verifier.hpp"

#include <filesystem>
#include <gtest/gtest.h>
#include <map>
#include <nlohmann/json.hpp>
#include <pqxx/pqxx>

namespace lastgood {
namespace {

namespace fs = std::filesystem;
using nlohmann::json;
using testing::TempDir;

class RestoreTest : public ::testing::Test
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
    m_repo.write("shop.sql", testing::read_file(testing::artifacts_dir() / "repo/dumps/shop.sql"));
    auto storage = storage::open_storage(m_repo.path().string());
    catalog::scan_repository(m_catalog->db(), repository, *storage, {});
    m_target = pg::ScratchCluster::start({});
    // trust authentication ignores the password; it must still never be shown or stored
    m_to = m_target->conninfo("postgres") + " password=hunter2";
  }
  std::string catalog_path() const { return (m_home.path() / "catalog.db").string(); }
  std::string backup_id(const std::string& key)
  {
    for (auto& b : catalog::list_backups(m_catalog->db(), {}))
      if (b.root_key == key) return b.backup_id;
    throw std::runtime_error("no backup at " + key);
  }
  testing::CommandResult lastgood(const std::string& args)
  {
    auto r =
        testing::run_lastgood("--catalog " + testing::shell_quote(catalog_path()) + " " + args);
    EXPECT_EQ(r.out.find("hunter2"), std::string::npos) << "the password reached stdout";
    EXPECT_EQ(r.err.find("hunter2"), std::string::npos) << "the password reached stderr";
    return r;
  }
  std::string restore_args(const std::string& rest)
  {
    return "restore " + rest + " --to " + testing::shell_quote(m_to);
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
  std::map<std::string, std::int64_t> row_counts(const std::string& database)
  {
    auto conn = pg::connect(m_target->conninfo(database));
    pqxx::nontransaction tx(*conn);
    std::map<std::string, std::int64_t> out;
    for (auto row :
         tx.exec("SELECT table_name FROM information_schema.tables WHERE table_schema = 'public'"
                 " AND table_type = 'BASE TABLE'")) {
      auto table = row[0].as<std::string>();
      out[table] =
          tx.exec1("SELECT count(*) FROM public." + pg::quote_ident(table))[0].as<std::int64_t>();
    }
    return out;
  }
  std::map<std::string, std::int64_t> expected_counts()
  {
    std::map<std::string, std::int64_t> out;
    for (const auto& [table, rows] : m_expected["row_counts"]["shop"].items())
      out[table] = rows.get<std::int64_t>();
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

  json m_expected;
  TempDir m_home, m_repo;
  std::unique_ptr<catalog::Catalog> m_catalog;
  std::unique_ptr<pg::ScratchCluster> m_target;
  std::string m_to;
};

TEST_F(RestoreTest, RestoresIntoANewNameWithExactlyTheBackupsRowsAndNoSecrets)
{
  auto r = lastgood(restore_args(backup_id("shop.dump") + " --as shop_copy --jobs 2"));
  ASSERT_EQ(r.exit_code, 0) << r.out << r.err;
  EXPECT_EQ(databases(), std::vector<std::string>{"shop_copy"});
  EXPECT_EQ(row_counts("shop_copy"), expected_counts());
  auto all = runs();
  ASSERT_EQ(all.size(), 1u);
  EXPECT_EQ(all[0].outcome, "pass");
  EXPECT_EQ(all[0].target_database, "shop_copy");
  EXPECT_EQ(all[0].temporary_database.value_or(""),
            "shop_copy__lastgood_" + std::to_string(all[0].id));
  EXPECT_EQ(all[0].target.find("hunter2"), std::string::npos) << all[0].target;
  EXPECT_NE(all[0].target.find("password="), std::string::npos) << all[0].target;
  EXPECT_GT(all[0].duration_seconds.value_or(0), 0.0);
  const auto audit = audit_text();
  EXPECT_NE(audit.find("restore.started"), std::string::npos) << audit;
  EXPECT_NE(audit.find("restore.finished"), std::string::npos) << audit;
  EXPECT_EQ(audit.find("hunter2"), std::string::npos) << audit;
  // The checks' amcheck extension is not left in the restored database.
  auto conn = pg::connect(m_target->conninfo("shop_copy"));
  EXPECT_TRUE(pqxx::nontransaction(*conn)
                  .exec("SELECT 1 FROM pg_extension WHERE extname = 'amcheck'")
                  .empty());
}

TEST_F(RestoreTest, PlainDumpRestoresToTheBackupsOwnNameAndRefusesSelection)
{
  auto r = lastgood(restore_args(backup_id("shop.sql") + " --json"));
  ASSERT_EQ(r.exit_code, 0) << r.out << r.err;
  EXPECT_EQ(json::parse(r.out)["result"]["outcome"], "pass");
  EXPECT_EQ(databases(), std::vector<std::string>{"shop"});
  EXPECT_EQ(row_counts("shop"), expected_counts());
  auto selective =
      lastgood(restore_args(backup_id("shop.sql") + " --as other --table public.orders"));
  EXPECT_EQ(selective.exit_code, 2) << selective.out << selective.err;
  EXPECT_NE(selective.err.find("plain"), std::string::npos) << selective.err;
}

TEST_F(RestoreTest, OneTableAndSchemaOnly)
{
  auto table =
      lastgood(restore_args(backup_id("shop.dump") + " --as only_orders --table public.orders"));
  ASSERT_EQ(table.exit_code, 0) << table.out << table.err;
  auto counts = row_counts("only_orders");
  EXPECT_EQ(counts.size(), 1u);
  EXPECT_EQ(counts["orders"], m_expected["row_counts"]["shop"]["orders"].get<std::int64_t>());

  auto shape = lastgood(restore_args(backup_id("shop.dump") + " --as shape --schema-only"));
  ASSERT_EQ(shape.exit_code, 0) << shape.out << shape.err;
  auto empty = row_counts("shape");
  EXPECT_EQ(empty.size(), expected_counts().size());
  for (const auto& [t, n] : empty)
    EXPECT_EQ(n, 0) << t;
  EXPECT_EQ(databases(), (std::vector<std::string>{"only_orders", "shape"}));

  auto both = lastgood(restore_args(backup_id("shop.dump") + " --as x --schema-only --data-only"));
  EXPECT_EQ(both.exit_code, 2) << both.err;
  auto unqualified = lastgood(restore_args(backup_id("shop.dump") + " --as x --table orders"));
  EXPECT_EQ(unqualified.exit_code, 2) << unqualified.err;
}

TEST_F(RestoreTest, AnExistingTargetDatabaseIsRefusedAndUntouched)
{
  {
    auto conn = pg::connect(m_target->conninfo("postgres"));
    pqxx::nontransaction(*conn).exec("CREATE DATABASE shop");
    auto shop = pg::connect(m_target->conninfo("shop"));
    pqxx::nontransaction(*shop).exec(
        "CREATE TABLE marker (note text); INSERT INTO marker VALUES ('keep me')");
  }
  auto r = lastgood(restore_args(backup_id("shop.dump")));
  EXPECT_EQ(r.exit_code, 2) << r.out << r.err;
  EXPECT_NE(r.err.find("database shop exists on the target; restore --as NEWNAME"),
            std::string::npos)
      << r.err;
  EXPECT_EQ(databases(), std::vector<std::string>{"shop"});
  auto shop = pg::connect(m_target->conninfo("shop"));
  pqxx::nontransaction tx(*shop);
  EXPECT_EQ(tx.exec1("SELECT note FROM marker")[0].as<std::string>(), "keep me");
  EXPECT_EQ(tx.exec1("SELECT count(*) FROM pg_tables WHERE schemaname = 'public'")[0].as<int>(), 1);
  auto dry = lastgood(restore_args(backup_id("shop.dump") + " --dry-run"));
  EXPECT_EQ(dry.exit_code, 2) << dry.out << dry.err;
}

TEST_F(RestoreTest, AFailingCheckLeavesNothingBehindAndIsRecorded)
{
  auto config =
      m_home.write("config.toml", "[[verify.check]]\ndatabase = \"shop\"\nname = \"never\"\n"
                                  "sql = \"SELECT count(*) < 0 FROM orders\"\n");
  auto r = lastgood("--config " + testing::shell_quote(config.string()) + " " +
                    restore_args(backup_id("shop.dump") + " --as checked"));
  EXPECT_EQ(r.exit_code, 1) << r.out << r.err;
  EXPECT_NE(r.out.find("check_failed"), std::string::npos) << r.out;
  EXPECT_TRUE(databases().empty()) << "neither 'checked' nor its temporary database may remain";
  auto all = runs();
  ASSERT_EQ(all.size(), 1u);
  EXPECT_EQ(all[0].outcome, "fail");
  EXPECT_NE(all[0].message.value_or("").find("never"), std::string::npos)
      << all[0].message.value_or("");
}

TEST_F(RestoreTest, LastGoodNeedsAGoodBackup)
{
  auto none = lastgood(restore_args("--last-good --database shop --as lg"));
  EXPECT_EQ(none.exit_code, 3) << none.out << none.err;
  EXPECT_NE(none.err.find("Newest unverified"), std::string::npos) << none.err;
  EXPECT_TRUE(databases().empty());
  EXPECT_EQ(lastgood(restore_args("--last-good --as lg")).exit_code, 2)
      << "--last-good needs --database";
  {
    verifier::Verifier v(m_catalog->db(), {}, "auto", 2);
    for (auto& b : catalog::list_backups(m_catalog->db(), {}))
      if (b.root_key == "shop.dump") {
        ASSERT_EQ(v.verify(b, verifier::Level::Restore, "manual").outcome, "pass");
      }
  }
  auto r = lastgood(restore_args("--last-good --database shop --as lg --json"));
  ASSERT_EQ(r.exit_code, 0) << r.out << r.err;
  auto doc = json::parse(r.out);
  EXPECT_EQ(doc["plan"]["backup"]["id"], backup_id("shop.dump")) << r.out;
  EXPECT_EQ(databases(), std::vector<std::string>{"lg"});
  EXPECT_EQ(row_counts("lg"), expected_counts());
}

TEST_F(RestoreTest, DryRunChangesNothing)
{
  auto r = lastgood(
      restore_args(backup_id("shop.dump") + " --as planned --table public.orders --dry-run"));
  ASSERT_EQ(r.exit_code, 0) << r.out << r.err;
  EXPECT_NE(r.out.find(backup_id("shop.dump")), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("--table=orders"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("planned__lastgood_"), std::string::npos) << r.out;
  auto j = lastgood(restore_args(backup_id("shop.dump") + " --dry-run --json"));
  ASSERT_EQ(j.exit_code, 0) << j.out << j.err;
  EXPECT_EQ(json::parse(j.out)["plan"]["target_database"], "shop");
  EXPECT_TRUE(databases().empty());
  EXPECT_TRUE(runs().empty());
  EXPECT_EQ(audit_text().find("restore."), std::string::npos);
}

TEST_F(RestoreTest, UnreachableTargetIsExitOneWithoutTheSecret)
{
  auto r = testing::run_lastgood("--catalog " + testing::shell_quote(catalog_path()) + " restore " +
                                 backup_id("shop.dump") +
                                 " --to 'host=/nonexistent port=1 password=hunter2'");
  EXPECT_EQ(r.exit_code, 1) << r.out << r.err;
  EXPECT_EQ(r.err.find("hunter2"), std::string::npos) << r.err;
  EXPECT_EQ(r.out.find("hunter2"), std::string::npos) << r.out;
  auto all = runs();
  ASSERT_EQ(all.size(), 1u);
  EXPECT_EQ(all[0].outcome, "error");
  EXPECT_EQ(all[0].message.value_or("").find("hunter2"), std::string::npos);
}

} // namespace
} // namespace lastgood
